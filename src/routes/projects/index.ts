import { z } from '@hono/zod-openapi';
import { serialId } from '../../lib/serial-id';
import type { RouteDeps } from '../deps';
import { resourceRoutes } from '../shared/resource-routes';
import { name, projectRecord, projectSummary, slug, sortOf, uuid } from '../shared/tenancy-schemas';

const visibility = z.enum(['private', 'public']);
/** Shape is checked by the service (unique node ids, edges between nodes, size limits). */
const graphInput = z
  .unknown()
  .openapi({ type: 'object', description: '{nodes: [{id}], edges: [{source, target}]}' });
const fields = {
  description: z.string().max(2000).nullable().optional(),
  visibility: visibility.optional(),
  graph: graphInput.optional(),
};

/** Mounted at /api/public/v1/projects. */
export function projectRoutes({ services }: RouteDeps) {
  const tenancy = services.tenancy.directory;
  return resourceRoutes({
    tag: 'projects',
    noun: 'Project',
    record: projectRecord,
    listItem: { schema: projectSummary, description: 'Projects (without graphs)' },
    anonymousReads: true,
    summaries: {
      list: 'List projects (anonymous: public ones; signed in: public + your teams)',
      create: 'Create a project in a team you belong to',
      update: 'Update a project (team members)',
      delete: 'Delete a project (its creator, a team maintainer, or an owner/admin above)',
    },
    filters: {
      sort: sortOf(['name', 'slug', 'createdAt']),
      companyId: uuid.optional(),
      organizationId: serialId.optional(),
      teamId: serialId.optional(),
      visibility: visibility.optional(),
      name: z.string().max(200).optional(),
    },
    createBody: z.strictObject({ teamId: serialId, name, slug: slug.optional(), ...fields }),
    patchBody: z.strictObject({ name: name.optional(), slug: slug.optional(), ...fields }),
    list: (c, query) => tenancy.listProjects(c.get('auth')?.user ?? null, query),
    get: {
      summary: 'Get a project with its graph (team members; anyone for public projects)',
      read: (c, id) => tenancy.getProject(c.get('auth')?.user ?? null, id),
    },
    create: (actor, body, meta) => tenancy.createProject(actor, body, meta),
    update: (actor, id, patch, meta) => tenancy.updateProject(actor, id, patch, meta),
    remove: (actor, id, meta) => tenancy.deleteProject(actor, id, meta),
  });
}
