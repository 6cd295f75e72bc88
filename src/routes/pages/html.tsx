import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Config } from '../../config';
import type { AppEnv } from '../../http/app-env';
import type { OAuthFlowError } from '../../services/oauth/flow-error';
import { authPageCsp } from '../../ui/auth-layout';
import { OAuthErrorPage } from '../../ui/oauth-error-page';

/** Browser endpoints answer with pages, not JSON; never cached, never framed. */
export function htmlHeaders(c: Context<AppEnv>, config: Config) {
  c.header('Content-Security-Policy', authPageCsp(config));
  c.header('Cache-Control', 'no-store');
}

export function flowErrorPage(c: Context<AppEnv>, config: Config, err: OAuthFlowError) {
  // Upstream trouble is the operator's business; the reason and error code carry no secrets.
  if (err.status >= 500) {
    c.get('logger')?.warn({ reason: err.reason, ...err.details }, 'sign-in provider failed');
  }
  htmlHeaders(c, config);
  return c.html(
    html`<!DOCTYPE html>${<OAuthErrorPage status={err.status} message={err.message} requestId={c.get('requestId')} />}`,
    err.status as ContentfulStatusCode,
  );
}
