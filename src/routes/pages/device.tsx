import { createHmac } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../../http/app-env';
import { requestMeta } from '../../http/request-meta';
import { AppError } from '../../lib/errors';
import { constantTimeEqual } from '../../lib/tokens';
import type { AuthContext } from '../../services/auth/types';
import { DeviceConfirmPage, DeviceDonePage, DeviceEntryPage } from '../../ui/device';
import { type RouteDeps, router } from '../deps';

const FORM = /^application\/x-www-form-urlencoded\b/i;
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

/** Only a browser session may approve a device: never a token presented by a machine. */
function browserSession(c: Context<AppEnv>): AuthContext | undefined {
  const auth = c.get('auth');
  return auth && auth.kind === 'session' && auth.via === 'cookie' ? auth : undefined;
}

/** GET/POST /device: the verification page of RFC 8628, CSRF token bound to the session. */
export function devicePageRoutes({ services, config }: RouteDeps) {
  const csrfFor = (sessionId: string) =>
    createHmac('sha256', config.jwtSecret).update(`device-approval:${sessionId}`).digest('hex');
  const page = (c: Context<AppEnv>, body: Parameters<Context['html']>[0], status = 200) => {
    c.header('Content-Security-Policy', CSP);
    c.header('Cache-Control', 'no-store');
    c.header('X-Frame-Options', 'DENY');
    return c.html(body, status as ContentfulStatusCode);
  };
  const toLogin = (c: Context<AppEnv>, code: string | undefined) => {
    const back = code ? `/device?user_code=${encodeURIComponent(code)}` : '/device';
    return c.redirect(`/login?redirect=${encodeURIComponent(back)}`, 302);
  };
  const failure = (c: Context<AppEnv>, auth: AuthContext, err: unknown, code?: string) => {
    if (!(err instanceof AppError)) throw err;
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    const message =
      err.code === 'NOT_FOUND' ? 'That code is unknown, expired or already used.' : err.message;
    return page(
      c,
      <DeviceEntryPage email={auth.user.email} error={message} code={code} />,
      err.status,
    );
  };

  const app = router();
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/device',
    tags: ['oauth'],
    summary: 'Device login page: enter/confirm the code, approve or deny (browser session)',
    request: { query: z.object({ user_code: z.string().optional() }) },
    responses: {
      200: { description: 'Page', content: { 'text/html': { schema: z.string() } } },
      302: { description: 'To /login when not signed in' },
      404: { description: 'Unknown or expired code (page)' },
      429: { description: 'Too many wrong codes (page)' },
    },
  });
  return app
    .get('/device', async (c) => {
      const code = c.req.query('user_code')?.slice(0, 32);
      const auth = browserSession(c);
      if (!auth) return toLogin(c, code);
      if (!code) return page(c, <DeviceEntryPage email={auth.user.email} />);
      try {
        const found = await services.tokens.deviceLogins.describe(auth.user, code, requestMeta(c));
        return page(
          c,
          <DeviceConfirmPage
            email={auth.user.email}
            userCode={found.userCode}
            clientName={found.clientName}
            clientId={found.clientId}
            scopes={found.scopes}
            csrf={csrfFor(auth.sessionId)}
          />,
        );
      } catch (err) {
        return failure(c, auth, err, code);
      }
    })
    .post('/device', async (c) => {
      const auth = browserSession(c);
      if (!FORM.test(c.req.header('content-type') ?? '')) {
        return c.text('Unsupported form submission', 415);
      }
      const form = new URLSearchParams(await c.req.text());
      const code = form.get('user_code')?.slice(0, 32) ?? '';
      if (!auth) return toLogin(c, code || undefined);
      if (!constantTimeEqual(form.get('csrf') ?? '', csrfFor(auth.sessionId))) {
        return page(
          c,
          <DeviceEntryPage
            email={auth.user.email}
            error="This form expired; try again."
            code={code}
          />,
          403,
        );
      }
      const action = form.get('action');
      if (action !== 'approve' && action !== 'deny') {
        return page(
          c,
          <DeviceEntryPage email={auth.user.email} error="Choose approve or deny." />,
          400,
        );
      }
      try {
        const approved = action === 'approve';
        const done = await services.tokens.deviceLogins.answer(
          auth.user,
          code,
          approved,
          requestMeta(c),
        );
        return page(c, <DeviceDonePage approved={approved} clientName={done.clientName} />);
      } catch (err) {
        return failure(c, auth, err, code);
      }
    });
}
