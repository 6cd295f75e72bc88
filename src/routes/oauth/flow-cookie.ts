import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../../config';
import { FLOW_TTL_SECONDS } from '../../services/oauth/oauth-flow-service';

/*
 * The sign-in flow cookie is scoped to its provider's callback path, so flows started with two
 * providers in one browser never overwrite each other, and nothing else ever receives it.
 * SameSite=Lax: the callback is a top-level navigation coming back from the provider's site.
 */
const cookieName = (config: Config) =>
  config.session.secureCookie ? '__Secure-kubegram_oauth' : 'kubegram_oauth';
const callbackPath = (providerId: string) => `/oauth/${providerId}/callback`;

export function setFlowCookie(c: Context, config: Config, providerId: string, value: string) {
  setCookie(c, cookieName(config), value, {
    httpOnly: true,
    secure: config.session.secureCookie,
    sameSite: 'Lax',
    path: callbackPath(providerId),
    maxAge: FLOW_TTL_SECONDS,
  });
}

export function readFlowCookie(c: Context, config: Config): string | undefined {
  return getCookie(c, cookieName(config));
}

export function clearFlowCookie(c: Context, config: Config, providerId: string) {
  deleteCookie(c, cookieName(config), {
    httpOnly: true,
    secure: config.session.secureCookie,
    sameSite: 'Lax',
    path: callbackPath(providerId),
  });
}
