import type { FC } from 'hono/jsx';
import { AuthLayout } from './auth-layout';

const TITLES: Record<number, string> = {
  400: 'Sign-in could not be completed',
  401: 'Please sign in first',
  403: 'Sign-in refused',
  404: 'Unknown sign-in provider',
  409: 'Sign-in needs your attention',
  502: 'Identity provider problem',
};

/** What a person sees when a browser sign-in stops: what happened, and where to go next. */
export const OAuthErrorPage: FC<{ status: number; message: string; requestId: string }> = ({
  status,
  message,
  requestId,
}) => (
  <AuthLayout title={TITLES[status] ?? 'Sign-in failed'}>
    <h1>{TITLES[status] ?? 'Sign-in failed'}</h1>
    <p role="alert">{message}</p>
    <p>
      <a href="/login">Back to sign in</a>
    </p>
    <p class="muted">
      Request id: <code>{requestId}</code> (give this to your administrator if the problem stays)
    </p>
  </AuthLayout>
);
