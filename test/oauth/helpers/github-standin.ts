import { createHash, randomBytes } from 'node:crypto';
import { freePort } from '../../helpers/private-redis';

export interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface GitHubStandIn {
  url: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, GitHubUser>;
  /** The login the next authorization approves as (GitHub's own login page is not modelled). */
  nextLogin: string;
  /** Token requests received, for assertions. */
  tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

/**
 * A small stand-in for GitHub's OAuth web flow and REST API on a loopback port, speaking the
 * real protocol: /login/oauth/authorize (302 back with code + state), /login/oauth/access_token
 * (form body, client secret, single-use code, PKCE S256 check, errors as 200 + "error" like
 * GitHub), /user and /user/emails with the bearer token.
 */
export async function startGitHubStandIn(): Promise<GitHubStandIn> {
  const port = await freePort();
  const codes = new Map<string, { login: string; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, string>();
  const standIn: GitHubStandIn = {
    url: `http://127.0.0.1:${port}`,
    clientId: 'gh-client-id',
    clientSecret: 'gh-client-secret-abcdef0123456789',
    users: new Map(),
    nextLogin: 'octocat',
    tokenRequests: [],
    close: async () => {},
  };
  const server = Bun.serve({
    port,
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === '/login/oauth/authorize' && req.method === 'GET') {
        const q = url.searchParams;
        if (q.get('client_id') !== standIn.clientId)
          return new Response('bad client', { status: 404 });
        if (q.get('code_challenge_method') !== 'S256') return new Response('pkce', { status: 400 });
        const code = randomBytes(10).toString('hex');
        codes.set(code, {
          login: standIn.nextLogin,
          challenge: q.get('code_challenge') ?? '',
          redirectUri: q.get('redirect_uri') ?? '',
        });
        const back = new URL(q.get('redirect_uri')!);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        return Response.redirect(back.href, 302);
      }
      if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
        const body = new URLSearchParams(await req.text());
        standIn.tokenRequests.push(body);
        if (
          body.get('client_id') !== standIn.clientId ||
          body.get('client_secret') !== standIn.clientSecret
        ) {
          return Response.json({ error: 'incorrect_client_credentials' });
        }
        const grant = codes.get(body.get('code') ?? '');
        codes.delete(body.get('code') ?? '');
        const challenge = createHash('sha256')
          .update(body.get('code_verifier') ?? '')
          .digest('base64url');
        if (
          !grant ||
          grant.challenge !== challenge ||
          grant.redirectUri !== body.get('redirect_uri')
        ) {
          return Response.json({ error: 'bad_verification_code' });
        }
        const token = `gho_${randomBytes(16).toString('hex')}`;
        tokens.set(token, grant.login);
        return Response.json({
          access_token: token,
          token_type: 'bearer',
          scope: 'read:user,user:email',
        });
      }
      const login = tokens.get((req.headers.get('authorization') ?? '').replace(/^Bearer /, ''));
      const user = login ? standIn.users.get(login) : undefined;
      if (url.pathname === '/user' || url.pathname === '/user/emails') {
        if (!user) return Response.json({ message: 'Bad credentials' }, { status: 401 });
        if (url.pathname === '/user') {
          return Response.json({
            id: user.id,
            login: user.login,
            name: user.name,
            avatar_url: `https://avatars.example/${user.id}`,
          });
        }
        return Response.json(user.emails.map((e) => ({ ...e, visibility: null })));
      }
      return new Response('not found', { status: 404 });
    },
  });
  standIn.close = async () => {
    server.stop(true);
  };
  return standIn;
}
