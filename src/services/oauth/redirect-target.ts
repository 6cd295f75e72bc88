import type { Config } from '../../config';
import { isAllowedOrigin } from '../../lib/origins';

// Control characters, whitespace and backslashes have no place in a redirect target; browsers
// "repair" them in ways that turn /\evil.com into //evil.com.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Z}\s\\]/u;
const SAFE_PATH = /^\/(?![/\\])/;

function decodedForms(raw: string): string[] {
  const forms = [raw];
  let current = raw;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      break;
    }
    if (next === current) break;
    forms.push(next);
    current = next;
  }
  return forms;
}

/**
 * Where a sign-in may send the browser: a path on this server, or a URL on an allowed origin
 * (APP_URL, CORS_ORIGIN, FRONTEND_URL). Anything else — //evil, /\evil, look-alike hosts,
 * javascript:, or any of these percent-encoded — gives the default landing page.
 */
export function safeRedirect(raw: string | undefined | null, config: Config): string {
  const fallback = config.oauth.defaultRedirect;
  if (!raw || raw.length > 2048) return fallback;
  // Judge every decoded form, so a later decoding step cannot turn it into something else.
  for (const form of decodedForms(raw)) {
    if (FORBIDDEN.test(form)) return fallback;
  }
  if (raw.startsWith('/')) {
    if (!decodedForms(raw).every((form) => !form.startsWith('/') || SAFE_PATH.test(form))) {
      return fallback;
    }
    const resolved = new URL(raw, config.appUrl);
    return resolved.origin === new URL(config.appUrl).origin ? raw : fallback;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fallback;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fallback;
  if (url.username || url.password) return fallback;
  return isAllowedOrigin(url.origin, config) ? url.href : fallback;
}
