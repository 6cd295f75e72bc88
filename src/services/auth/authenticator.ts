import type { SessionService } from '../sessions/session-service';
import type { AuthContext } from './types';

/** One way of turning a presented token into an AuthContext (session, PAT, JWT …). */
export interface CredentialResolver {
  /** Cheap shape test: no I/O. */
  accepts(token: string): boolean;
  resolve(token: string, via: AuthContext['via']): Promise<AuthContext | null>;
}

export function sessionResolver(sessions: SessionService): CredentialResolver {
  return {
    accepts: (token) => token.length === 43,
    async resolve(token, via) {
      const found = await sessions.resolve(token);
      return found ? { ...found, kind: 'session', via } : null;
    },
  };
}

/** Every credential type goes through here, so every protected route accepts all of them. */
export class Authenticator {
  constructor(private readonly resolvers: CredentialResolver[]) {}

  add(resolver: CredentialResolver) {
    this.resolvers.push(resolver);
  }

  async authenticate(token: string, via: AuthContext['via']): Promise<AuthContext | null> {
    if (token.length === 0 || token.length > 4096) return null;
    for (const resolver of this.resolvers) {
      if (resolver.accepts(token)) return resolver.resolve(token, via);
    }
    return null;
  }
}
