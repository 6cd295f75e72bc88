import type { FC } from 'hono/jsx';
import { AuthLayout } from './auth-layout';

export interface LoginProvider {
  id: string;
  name: string;
}

export interface LoginPageProps {
  providers: LoginProvider[];
  /** Already vetted by safeRedirect; travels to the provider links and the form. */
  redirect: string;
  csrfToken: string;
  error?: string;
  email?: string;
}

/** Sign in: a button per enabled provider and the email/password form. No script at all. */
export const LoginPage: FC<LoginPageProps> = ({ providers, redirect, csrfToken, error, email }) => (
  <AuthLayout title="Sign in">
    <h1>Sign in to Kubegram</h1>
    {error ? (
      <p class="error" role="alert" id="login-error">
        {error}
      </p>
    ) : null}
    {providers.length > 0 ? (
      <nav aria-label="Sign in with">
        {providers.map((p) => (
          <a
            class="provider"
            href={`/oauth/${encodeURIComponent(p.id)}?redirect=${encodeURIComponent(redirect)}`}
          >
            Sign in with {p.name}
          </a>
        ))}
      </nav>
    ) : null}
    {providers.length > 0 ? <hr /> : null}
    <form method="post" action="/login" aria-describedby={error ? 'login-error' : undefined}>
      <input type="hidden" name="csrf" value={csrfToken} />
      <input type="hidden" name="redirect" value={redirect} />
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" required value={email} />
      <label for="password">Password</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
      />
      <label for="mfaCode">Two-factor code (only if you turned it on)</label>
      <input
        id="mfaCode"
        name="mfaCode"
        type="text"
        inputmode="numeric"
        autocomplete="one-time-code"
        maxlength={64}
      />
      <button type="submit">Sign in</button>
    </form>
  </AuthLayout>
);
