/** The three kinds of credential the benchmarks authenticate with, obtained over the API. */

async function form(base: string, path: string, params: Record<string, string>) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** A personal access token made with the session, as a user would in the UI. */
export async function createPat(base: string, cookie: Record<string, string>): Promise<string> {
  const res = await fetch(`${base}/api/public/v1/auth/tokens`, {
    method: 'POST',
    headers: { ...cookie, origin: base, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', scopes: ['read', 'write'] }),
  });
  if (res.status !== 201) throw new Error(`PAT: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: { token: string } }).data.token;
}

/** A device login (RFC 8628) approved through the /device page, as a browser would. */
export async function deviceLogin(base: string, cookie: Record<string, string>) {
  const started = await form(base, '/oauth/device/code', { client_id: 'kubegram-cli' });
  const userCode = started.body.user_code!;
  const page = await fetch(`${base}/device?user_code=${userCode}`, { headers: cookie });
  const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error(`device page: ${page.status}`);
  const answer = await fetch(`${base}/device`, {
    method: 'POST',
    headers: { ...cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user_code: userCode, csrf, action: 'approve' }),
  });
  if (answer.status !== 200) throw new Error(`device approve: ${answer.status}`);
  const tokens = await form(base, '/oauth/token', {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: started.body.device_code!,
    client_id: 'kubegram-cli',
  });
  if (tokens.status !== 200) throw new Error(`device token: ${JSON.stringify(tokens.body)}`);
  return tokens.body as { access_token: string; refresh_token: string };
}

/** Each worker follows its own refresh chain until the deadline; grants per second. */
export async function refreshThroughput(base: string, chains: string[], seconds: number) {
  let done = 0;
  let failed = 0;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    chains.map(async (initial) => {
      let token = initial;
      while (Date.now() < deadline) {
        const res = await form(base, '/oauth/token', {
          grant_type: 'refresh_token',
          refresh_token: token,
        });
        if (res.status !== 200) {
          failed++;
          return;
        }
        token = res.body.refresh_token!;
        done++;
      }
    }),
  );
  return { rps: done / ((Date.now() - started) / 1000), done, failed };
}
