import type { JobStatus } from '../../services/codegen/job-status';

/** TypeScript mirror of schema.graphql, the KubeRAG contract. */

export type JobKind = 'codegen' | 'plan';

export interface GenerateCodeInput {
  modelProvider: string;
  modelName: string;
  graph: { nodes: unknown[]; edges: unknown[] };
  context: string[];
  companyId: string;
  userId: string;
  projectId?: string;
  projectName?: string;
}

export interface TokenUsage {
  prompt: number;
  completion: number;
  total: number;
}

export interface UpstreamJobStatus {
  jobId: string;
  kind: JobKind;
  /** schema.graphql's JobStatus: the same five values as our job rows. */
  status: JobStatus;
  progress: number;
  step: string | null;
  error: string | null;
  tokenUsage: TokenUsage | null;
  updatedAt: string;
}

export interface GeneratedFile {
  path: string;
  content: string;
}

export interface PlanResult {
  namespace: string | null;
  resources: Array<{ kind: string; name: string; file: string | null }>;
  steps: Array<{ order: number; title: string; description: string; resources: string[] }>;
}

export interface UpstreamResult {
  jobId: string;
  files: GeneratedFile[];
  plan: PlanResult | null;
}

export const STATUS_FIELDS =
  'jobId kind status progress step error tokenUsage { prompt completion total } updatedAt';
