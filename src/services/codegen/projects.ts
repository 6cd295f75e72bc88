import type { ProjectRow } from '../../db/schema';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { WriteCall } from '../tenancy/context';
import { createProject, findProjectIdByName, updateProject } from '../tenancy/projects';
import { resolveProject } from '../tenancy/resolve';
import { listTeams } from '../tenancy/teams';
import type { Graph } from './graph';

/**
 * The project a code-generation request belongs to, with its graph metadata stored. All
 * permission decisions are tenancy's (resolveProject/createProject ask policy.ts).
 */

export interface ProjectRef {
  id?: number;
  name?: string;
  teamId?: number;
}

export async function storeProjectGraph(
  call: WriteCall,
  companyId: string,
  ref: ProjectRef,
  graph: Graph,
): Promise<ProjectRow> {
  if (ref.id) {
    const { row } = await resolveProject(call.tx, call.actor, ref.id);
    // A project of another company is, from this request's point of view, not there.
    if (row.companyId !== companyId) throw new NotFoundError('Project');
    return (await updateProject(call, row.id, { graph })).row;
  }
  const name = ref.name!;
  const teamId = ref.teamId ?? (await defaultTeam(call, companyId));
  const existing = await findProjectIdByName(call.tx, companyId, teamId, name);
  if (existing !== undefined) {
    return (await updateProject(call, existing, { graph })).row;
  }
  const created = await createProject(call, { teamId, name, graph });
  if (created.companyId !== companyId) throw new NotFoundError('Team');
  return created;
}

/** The caller's own team in the company if it has one, else the first team they can see. */
async function defaultTeam(call: WriteCall, companyId: string): Promise<number> {
  const { rows } = await listTeams(call.tx, call.actor, { companyId, page: 1, limit: 100 });
  const own = rows.find((team) => team.id === call.actor.teamId);
  const team = own ?? rows[0];
  if (!team) {
    throw new ValidationError('No team to create the project in', [
      { path: 'project.teamId', message: 'You belong to no team in this company; pass a teamId' },
    ]);
  }
  return team.id;
}
