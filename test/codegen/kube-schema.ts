import * as k8s from '@kubernetes/client-node';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';

/**
 * Validates generated objects against two real sources of the Kubernetes OpenAPI schema:
 * kubernetes-models (JSON-schema validators: required fields, types, formats) and the
 * attribute maps of @kubernetes/client-node (every field name the API knows), because the
 * JSON schemas allow unknown fields and a misspelt one would otherwise pass silently.
 */

type ModelClass = new (data: any) => { validate(): void };
const KINDS: Record<string, { model: ModelClass; typeName: string }> = {
  'apps/v1/Deployment': { model: Deployment as ModelClass, typeName: 'V1Deployment' },
  'apps/v1/StatefulSet': { model: StatefulSet as ModelClass, typeName: 'V1StatefulSet' },
  'v1/Service': { model: Service as ModelClass, typeName: 'V1Service' },
  'v1/ConfigMap': { model: ConfigMap as ModelClass, typeName: 'V1ConfigMap' },
  'v1/ServiceAccount': { model: ServiceAccount as ModelClass, typeName: 'V1ServiceAccount' },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget as ModelClass,
    typeName: 'V1PodDisruptionBudget',
  },
  'batch/v1/CronJob': { model: CronJob as ModelClass, typeName: 'V1CronJob' },
  'networking.k8s.io/v1/Ingress': { model: Ingress as ModelClass, typeName: 'V1Ingress' },
  'networking.k8s.io/v1/NetworkPolicy': {
    model: NetworkPolicy as ModelClass,
    typeName: 'V1NetworkPolicy',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscaler as ModelClass,
    typeName: 'V2HorizontalPodAutoscaler',
  },
};

type AttributeMap = Array<{ baseName: string; type: string }>;

function attributeMap(typeName: string): AttributeMap | undefined {
  const cls = (k8s as any)[typeName];
  return cls?.getAttributeTypeMap?.() ?? cls?.attributeTypeMap;
}

function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) out.push(`${path}: expected an array`);
    else {
      for (const [i, v] of value.entries()) unknownFields(v, array[1]!, `${path}[${i}]`, out);
    }
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [key, v] of Object.entries(value as object)) {
      unknownFields(v, map[1]!, `${path}.${key}`, out);
    }
    return;
  }
  const attrs = attributeMap(type);
  if (!attrs) return; // a scalar, IntOrString or free-form object
  if (typeof value !== 'object' || Array.isArray(value)) {
    out.push(`${path}: expected an object of ${type}`);
    return;
  }
  const known = new Map(attrs.map((a) => [a.baseName, a.type]));
  for (const [key, v] of Object.entries(value as object)) {
    const fieldType = known.get(key);
    if (fieldType === undefined) out.push(`${path}.${key}: unknown field of ${type}`);
    else unknownFields(v, fieldType, `${path}.${key}`, out);
  }
}

/** Problems with one object; an empty list means it is a valid Kubernetes object. */
export function kubeProblems(object: any): string[] {
  const kind = KINDS[`${object?.apiVersion}/${object?.kind}`];
  if (!kind) return [`unexpected kind ${object?.apiVersion}/${object?.kind}`];
  const problems: string[] = [];
  try {
    new kind.model(object).validate();
  } catch (err) {
    problems.push(`${object.kind}/${object.metadata?.name}: ${(err as Error).message}`);
  }
  unknownFields(object, kind.typeName, `${object.kind}/${object.metadata?.name}`, problems);
  return problems;
}
