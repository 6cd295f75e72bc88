import type { FC } from 'hono/jsx';

/**
 * The /device page of RFC 8628: the signed-in user enters (or confirms) the code their CLI
 * shows, sees which client asks for what, and approves or denies. Self-contained markup; no
 * scripts, so the page's CSP can forbid them entirely.
 */
const STYLE = `*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#f6f7f9;margin:0}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #d9dce1;border-radius:8px}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;padding:.55rem;border:1px solid #8a8f98;border-radius:4px;font:inherit;letter-spacing:.15em;text-transform:uppercase}
button{display:block;width:100%;padding:.6rem;margin:.5rem 0;border-radius:4px;font:inherit;cursor:pointer;border:0;background:#1d4ed8;color:#fff}
button.deny{background:#fff;color:#8e1b1b;border:1px solid #c62828}.code{font:600 1.6rem ui-monospace,monospace;letter-spacing:.15em}
.error{background:#fdecec;border:1px solid #c62828;color:#8e1b1b;padding:.75rem;border-radius:4px}.muted{color:#555;font-size:.9rem}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}`;

const Layout: FC<{ title: string; children?: unknown }> = ({ title, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <title>{`${title} · Kubegram`}</title>
      <style>{STYLE}</style>
    </head>
    <body>
      <main>{children as never}</main>
    </body>
  </html>
);

export const DeviceEntryPage: FC<{ email: string; error?: string; code?: string }> = (p) => (
  <Layout title="Connect a device">
    <h1>Connect a device</h1>
    <p class="muted">Signed in as {p.email}. Enter the code your terminal shows.</p>
    {p.error ? (
      <p class="error" role="alert">
        {p.error}
      </p>
    ) : null}
    <form method="get" action="/device">
      <label for="user_code">Code</label>
      <input
        id="user_code"
        name="user_code"
        value={p.code ?? ''}
        autocomplete="off"
        autocapitalize="characters"
        placeholder="BCDF-GHJK"
        required
      />
      <button type="submit">Continue</button>
    </form>
  </Layout>
);

export interface DeviceConfirmProps {
  email: string;
  userCode: string;
  clientName: string;
  clientId: string;
  scopes: string[];
  csrf: string;
}

export const DeviceConfirmPage: FC<DeviceConfirmProps> = (p) => (
  <Layout title="Approve device">
    <h1>Approve this sign-in?</h1>
    <p>
      <strong>{p.clientName}</strong> <span class="muted">({p.clientId})</span> asks to act as{' '}
      <strong>{p.email}</strong> with: {p.scopes.join(', ')}.
    </p>
    <p>Check that your terminal shows this code:</p>
    <p class="code">{p.userCode}</p>
    <form method="post" action="/device">
      <input type="hidden" name="user_code" value={p.userCode} />
      <input type="hidden" name="csrf" value={p.csrf} />
      <button type="submit" name="action" value="approve">
        Approve
      </button>
      <button type="submit" name="action" value="deny" class="deny">
        Deny
      </button>
    </form>
  </Layout>
);

export const DeviceDonePage: FC<{ approved: boolean; clientName: string }> = (p) => (
  <Layout title={p.approved ? 'Device connected' : 'Request denied'}>
    <h1>{p.approved ? 'Device connected' : 'Request denied'}</h1>
    <p>
      {p.approved
        ? `${p.clientName} is now signed in. You can close this page and return to your terminal.`
        : `${p.clientName} was not given access. You can close this page.`}
    </p>
  </Layout>
);
