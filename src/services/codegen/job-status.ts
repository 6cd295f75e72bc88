import { codegenJobStatus } from '../../db/schema';

/** Every status a job can have: the database enum is the one list (API schemas use it too). */
export const JOB_STATUSES = codegenJobStatus.enumValues;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job in one of these is still being worked on; every other status is final. */
export const OPEN_STATUSES = ['queued', 'running'] as const satisfies readonly JobStatus[];
export type OpenStatus = (typeof OPEN_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(
  JOB_STATUSES.filter((status) => !isOpen(status)),
);

export function isOpen(status: JobStatus): status is OpenStatus {
  return (OPEN_STATUSES as readonly JobStatus[]).includes(status);
}
