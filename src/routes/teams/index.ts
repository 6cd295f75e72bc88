import { z } from '@hono/zod-openapi';
import { authOf } from '../../http/middleware/auth';
import { serialId } from '../../lib/serial-id';
import type { RouteDeps } from '../deps';
import { memberRoutes } from '../shared/members';
import { resourceRoutes } from '../shared/resource-routes';
import { name, slug, sortOf, teamRecord, uuid } from '../shared/tenancy-schemas';

/** Mounted at /api/public/v1/teams: the teams and their members. */
export function teamRoutes(deps: RouteDeps) {
  const tenancy = deps.services.tenancy.directory;
  return resourceRoutes({
    tag: 'teams',
    noun: 'Team',
    record: teamRecord,
    listItem: { schema: teamRecord, description: 'Teams' },
    summaries: {
      list: 'List teams you can read (a parent you cannot see is a 404)',
      create: 'Create a team (organization or company owner/admin)',
      update: 'Update a team',
      delete: 'Delete a team with its projects',
    },
    filters: {
      sort: sortOf(['name', 'slug', 'createdAt']),
      companyId: uuid.optional(),
      organizationId: serialId.optional(),
      name: z.string().max(200).optional(),
      slug: z.string().max(63).optional(),
    },
    createBody: z.strictObject({ organizationId: serialId, name, slug: slug.optional() }),
    patchBody: z.strictObject({ name: name.optional(), slug: slug.optional() }),
    list: (c, query) => tenancy.listTeams(authOf(c).user, query),
    get: { summary: 'Get a team', read: (c, id) => tenancy.getTeam(authOf(c).user, id) },
    create: (actor, body, meta) => tenancy.createTeam(actor, body, meta),
    update: (actor, id, patch, meta) => tenancy.updateTeam(actor, id, patch, meta),
    remove: (actor, id, meta) => tenancy.deleteTeam(actor, id, meta),
  }).route('/', memberRoutes(deps, 'team'));
}
