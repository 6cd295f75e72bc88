import type { Context } from 'hono';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../../http/app-env';
import { requestMeta } from '../../http/request-meta';
import { setSessionCookie } from '../../http/session-cookie';
import { AppError } from '../../lib/errors';
import { constantTimeEqual, newOpaqueToken } from '../../lib/tokens';
import { safeRedirect } from '../../services/oauth/redirect-target';
import { LoginPage } from '../../ui/login';
import type { RouteDeps } from '../deps';
import { htmlHeaders } from './html';

/** Readable reasons for the `error` a provider (or the flow) sent the browser back with. */
const PROVIDER_ERRORS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled or refused at the identity provider.',
  login_required: 'The identity provider needs you to sign in there first.',
  consent_required: 'The identity provider needs your consent to continue.',
  interaction_required: 'The identity provider needs you to complete a step there first.',
  temporarily_unavailable: 'The identity provider is temporarily unavailable. Try again soon.',
  server_error: 'The identity provider had a problem. Try again soon.',
};
const GENERIC_PROVIDER_ERROR = 'The identity provider did not complete the sign-in.';

const CSRF_COOKIE = 'kubegram_login_csrf';
const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i;

/** GET /login (the page) and POST /login (the form, double-submit CSRF token). */
export function loginPageRoutes({ services, config }: RouteDeps) {
  const app = new Hono<AppEnv>();

  const render = async (
    c: Context<AppEnv>,
    status: number,
    redirect: string,
    error?: string,
    email?: string,
  ) => {
    // A fresh token per rendering; the cookie is only ever sent back to POST /login.
    const csrfToken = newOpaqueToken();
    setCookie(c, CSRF_COOKIE, csrfToken, {
      httpOnly: true,
      secure: config.session.secureCookie,
      sameSite: 'Strict',
      path: '/login',
      maxAge: 3600,
    });
    const providers = (await services.oauth.providers.enabled()).map((p) => ({
      id: p.id,
      name: p.displayName,
    }));
    htmlHeaders(c, config);
    const page = (
      <LoginPage
        providers={providers}
        redirect={redirect}
        csrfToken={csrfToken}
        error={error}
        email={email}
      />
    );
    return c.html(html`<!DOCTYPE html>${page}`, status as ContentfulStatusCode);
  };

  app.get('/login', (c) => {
    const error = c.req.query('error');
    const message = error ? (PROVIDER_ERRORS[error] ?? GENERIC_PROVIDER_ERROR) : undefined;
    return render(c, 200, safeRedirect(c.req.query('redirect'), config), message);
  });

  app.post('/login', async (c) => {
    if (!FORM_TYPE.test(c.req.header('content-type') ?? '')) {
      return render(c, 415, config.oauth.defaultRedirect, 'Unsupported form submission.');
    }
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
    const redirect = safeRedirect(field('redirect'), config);
    const expected = getCookie(c, CSRF_COOKIE) ?? '';
    if (!expected || !constantTimeEqual(field('csrf'), expected)) {
      return render(c, 403, redirect, 'Your sign-in form expired. Please try again.');
    }
    const email = field('email').slice(0, 320);
    const password = field('password');
    if (!email || !password || password.length > 1024) {
      return render(c, 400, redirect, 'Enter your email and password.', email);
    }
    try {
      const mfaCode = field('mfaCode').trim().slice(0, 64) || undefined;
      const result = await services.auth.accounts.login(
        { email, password, mfaCode },
        requestMeta(c),
      );
      setSessionCookie(c, config, result.token);
      c.header('Cache-Control', 'no-store');
      return c.redirect(redirect, 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
      return render(c, err.status, redirect, err.message, email);
    }
  });

  return app;
}
