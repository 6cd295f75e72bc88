import { and, count, eq, getTableColumns, ilike, isNull, type SQL } from 'drizzle-orm';
import {
  type ProjectGraph,
  type ProjectRow,
  type ProjectVisibility,
  projects,
} from '../../db/schema';
import { softDeleteProject } from './cascade';
import { type ChildKind, createChild, deleteChild, liveIn, updateChild } from './children';
import { type Actor, type Queryable, requestedChanges, slugify, type WriteCall } from './context';
import { sameJson, validateGraph } from './graph';
import { containsPattern, type ListQuery, offsetOf, orderBy } from './listing';
import { resolveProject, resolveTeam } from './resolve';
import { projectFilter } from './scope';

export interface ProjectInput {
  teamId: number;
  name: string;
  slug?: string;
  description?: string | null;
  visibility?: ProjectVisibility;
  graph?: unknown;
}
export interface ProjectPatch {
  name?: string;
  slug?: string;
  description?: string | null;
  visibility?: ProjectVisibility;
  graph?: unknown;
}

/** The fields a PATCH may change besides the graph, which is validated and compared apart. */
const FIELDS = ['name', 'slug', 'description', 'visibility'] as const;

export const PROJECT: ChildKind<ProjectRow> = {
  level: 'project',
  table: projects,
  taken: 'A project with this slug already exists in the team',
  audited: FIELDS,
  shownOnCreate: ['name', 'slug', 'visibility'],
  parentOf: (row) => ({ teamId: String(row.teamId) }),
  resolve: resolveProject,
  softDelete: (call, row) => softDeleteProject(call, row.companyId, row.id),
};

export async function createProject(call: WriteCall, input: ProjectInput): Promise<ProjectRow> {
  const { row: team } = await resolveTeam(call.tx, call.actor, input.teamId, 'project.create');
  const graph: ProjectGraph =
    input.graph === undefined ? { nodes: [], edges: [] } : validateGraph(input.graph);
  return createChild(call, PROJECT, {
    teamId: team.id,
    organizationId: team.organizationId,
    companyId: team.companyId,
    name: input.name,
    slug: input.slug ?? slugify(input.name),
    description: input.description ?? null,
    visibility: input.visibility ?? 'private',
    graph,
    createdBy: call.actor.id,
  });
}

export async function updateProject(call: WriteCall, id: number, patch: ProjectPatch) {
  const { row: before } = await resolveProject(call.tx, call.actor, id, 'project.update');
  const changes: Partial<ProjectRow> = requestedChanges(before, patch, FIELDS);
  if (patch.graph !== undefined) {
    const graph = validateGraph(patch.graph);
    if (!sameJson(graph, before.graph)) changes.graph = graph;
  }
  // Graphs can be large: the audit row records that it changed and its new size, not both copies.
  return updateChild(call, PROJECT, before, changes, (after) =>
    changes.graph
      ? { graph: { nodes: after.graph.nodes.length, edges: after.graph.edges.length } }
      : {},
  );
}

export const deleteProject = (call: WriteCall, id: number) => deleteChild(call, PROJECT, id);

export async function getProject(q: Queryable, actor: Actor, id: number): Promise<ProjectRow> {
  return (await resolveProject(q, actor, id)).row;
}

export interface ProjectListQuery extends ListQuery {
  companyId?: string;
  organizationId?: number;
  teamId?: number;
  visibility?: ProjectVisibility;
  name?: string;
}

const SORTABLE = { name: projects.name, slug: projects.slug, createdAt: projects.createdAt };
const { graph: _graph, ...SUMMARY_COLUMNS } = getTableColumns(projects);

/**
 * Public projects for everyone plus those of the caller's teams. Because public projects are
 * readable by anyone, parent filters here only narrow the visible set: naming a foreign parent
 * yields its public projects (or none), never a private one and never a 404 that confirms it.
 */
export async function listProjects(q: Queryable, actor: Actor, query: ProjectListQuery) {
  const filters: (SQL | undefined)[] = [isNull(projects.deletedAt), projectFilter(q, actor)];
  if (query.companyId) filters.push(eq(projects.companyId, query.companyId));
  if (query.organizationId !== undefined)
    filters.push(eq(projects.organizationId, query.organizationId));
  if (query.teamId !== undefined) filters.push(eq(projects.teamId, query.teamId));
  if (query.visibility) filters.push(eq(projects.visibility, query.visibility));
  if (query.name) filters.push(ilike(projects.name, containsPattern(query.name)));
  const where = and(...filters);
  const [rows, [total]] = await Promise.all([
    q
      .select(SUMMARY_COLUMNS)
      .from(projects)
      .where(where)
      .orderBy(...orderBy(query.sort, SORTABLE, 'createdAt', projects.id))
      .limit(query.limit)
      .offset(offsetOf(query)),
    q.select({ value: count() }).from(projects).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}

/**
 * A live project by name in one team of one company, or undefined: for callers (code
 * generation) that address projects by name. The result still has to pass resolveProject.
 */
export async function findProjectIdByName(
  q: Queryable,
  companyId: string,
  teamId: number,
  name: string,
): Promise<number | undefined> {
  const [row] = await q
    .select({ id: projects.id })
    .from(projects)
    .where(liveIn(projects, companyId, eq(projects.teamId, teamId), eq(projects.name, name)));
  return row?.id;
}
