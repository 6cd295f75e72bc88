import type { ApiUser, Page } from './api';
import { apiRequest, type ClientOptions } from './http';

/** Members and invitations of companies, organizations and teams; users (admin). */

const API = '/api/public/v1';

export const MEMBER_LEVELS = ['company', 'organization', 'team'] as const;
export type MemberLevel = (typeof MEMBER_LEVELS)[number];
const LEVEL_PATH: Record<MemberLevel, string> = {
  company: 'companies',
  organization: 'organizations',
  team: 'teams',
};
const members = (level: MemberLevel, parentId: string) =>
  `${API}/${LEVEL_PATH[level]}/${encodeURIComponent(parentId)}/members`;

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: string;
  createdAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  scope: MemberLevel;
  companyId: string;
  organizationId: string | null;
  teamId: string | null;
  role: string;
  status: string;
  expiresAt: string;
  createdAt: string;
}

/** What adding an email answers: a membership (the account exists) or an invitation. */
export interface MemberAdded {
  kind: 'member' | 'invitation';
  member?: Partial<Member>;
  invitation?: Invitation;
  acceptUrl?: string;
  emailSent?: boolean;
}

export interface UserRecord extends ApiUser {
  disabled: boolean;
  serviceAccount: boolean;
  mfaEnabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Every page of a list endpoint. */
async function allPages<T>(
  options: ClientOptions,
  path: string,
  query: Record<string, string | undefined> = {},
) {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const res = await apiRequest<Page<T>>(options, path, { query: { ...query, page, limit: 100 } });
    all.push(...res.data);
    if (page >= res.pagination.totalPages || res.data.length === 0) return all;
  }
}

export function listMembers(options: ClientOptions, level: MemberLevel, parentId: string) {
  return allPages<Member>(options, members(level, parentId));
}

/** An email without an account becomes an invitation; a numeric id adds that user. */
export async function addMember(
  options: ClientOptions,
  level: MemberLevel,
  parentId: string,
  who: { email: string } | { userId: string },
  role?: string,
) {
  return (
    await apiRequest<{ data: MemberAdded }>(options, members(level, parentId), {
      method: 'POST',
      body: { ...who, ...(role ? { role } : {}) },
    })
  ).data;
}

export async function setMemberRole(
  options: ClientOptions,
  level: MemberLevel,
  parentId: string,
  userId: string,
  role: string,
) {
  const path = `${members(level, parentId)}/${encodeURIComponent(userId)}`;
  return (
    await apiRequest<{ data: { userId: string; role: string } }>(options, path, {
      method: 'PATCH',
      body: { role },
    })
  ).data;
}

export async function removeMember(
  options: ClientOptions,
  level: MemberLevel,
  parentId: string,
  userId: string,
) {
  const path = `${members(level, parentId)}/${encodeURIComponent(userId)}`;
  await apiRequest(options, path, { method: 'DELETE' });
}

export function listInvitations(options: ClientOptions, companyId: string) {
  return allPages<Invitation>(options, `${API}/invitations`, { companyId });
}

export async function revokeInvitation(options: ClientOptions, id: string) {
  await apiRequest(options, `${API}/invitations/${encodeURIComponent(id)}`, {
    method: 'DELETE',
  });
}

/** Takes the token or the whole acceptance link the invitation came with. */
export function invitationToken(tokenOrUrl: string): string {
  const value = tokenOrUrl.trim();
  if (!/^https?:\/\//.test(value)) return value;
  const url = new URL(value);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const segments = url.pathname.split('/').filter(Boolean);
  const at = segments.lastIndexOf('invitations');
  return decodeURIComponent(segments[at + 1] ?? segments.at(-1) ?? '');
}

export async function acceptInvitation(options: ClientOptions, tokenOrUrl: string) {
  const token = invitationToken(tokenOrUrl);
  return (
    await apiRequest<{ data: Invitation }>(
      options,
      `${API}/invitations/${encodeURIComponent(token)}/accept`,
      { method: 'POST' },
    )
  ).data;
}

export function listUsers(
  options: ClientOptions,
  filters: { role?: string; email?: string; kind?: 'people' | 'service' } = {},
) {
  return allPages<UserRecord>(options, `${API}/users`, filters);
}

export async function getUser(options: ClientOptions, id: string) {
  return (await apiRequest<{ data: UserRecord }>(options, `${API}/users/${encodeURIComponent(id)}`))
    .data;
}

export async function updateUser(
  options: ClientOptions,
  id: string,
  patch: { role?: string; disabled?: boolean; name?: string },
) {
  return (
    await apiRequest<{ data: UserRecord }>(options, `${API}/users/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: patch,
    })
  ).data;
}
