/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1): what the API server checks when one is
 * written, the resource types an established one serves (one per served version, in kube-aware
 * version priority, as discovery lists them), and the admission of a custom resource's body
 * (pruning, defaulting, schema validation; `structuralSchema.ts`).
 */
import type { CustomResourceInfo, PrinterColumn, ResourceType } from './resources.ts';
import type { KubeObject } from './store.ts';
import type { FieldCause, StructuralSchema } from './structuralSchema.ts';
import { applyDefaults, unknownCustomFields, validateAgainstSchema } from './structuralSchema.ts';

export interface CrdNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  schema?: { openAPIV3Schema?: StructuralSchema };
  subresources?: { status?: unknown; scale?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface CrdSpec {
  group?: string;
  names?: CrdNames;
  scope?: string;
  versions?: CrdVersion[];
  conversion?: { strategy?: string };
}

export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

export function crdSpec(crd: KubeObject): CrdSpec {
  return (crd.spec ?? {}) as CrdSpec;
}

/** apiextensions' ValidateCustomResourceDefinition, for the fields the sandbox relies on. */
export function validateCrd(crd: KubeObject, previous?: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const required = (field: string) =>
    causes.push({ field, message: 'Required value', reason: 'FieldValueRequired' });
  const invalid = (field: string, value: unknown, message: string) =>
    causes.push({
      field,
      message: `Invalid value: ${JSON.stringify(value)}: ${message}`,
      reason: 'FieldValueInvalid',
    });
  const spec = crdSpec(crd);
  const group = spec.group ?? '';
  const names = spec.names ?? {};
  if (!group) {
    required('spec.group');
  } else if (!DNS1123_SUBDOMAIN.test(group) || !group.includes('.')) {
    invalid('spec.group', group, 'should be a domain with at least one dot');
  }
  if (!names.plural) {
    required('spec.names.plural');
  } else if (!DNS1035_LABEL.test(names.plural)) {
    invalid(
      'spec.names.plural',
      names.plural,
      'a lowercase RFC 1123 label must consist of lower case alphanumeric characters',
    );
  }
  if (names.singular && !DNS1035_LABEL.test(names.singular)) {
    invalid(
      'spec.names.singular',
      names.singular,
      'a lowercase RFC 1123 label must consist of lower case alphanumeric characters',
    );
  }
  if (!names.kind) {
    required('spec.names.kind');
  } else if (!KIND.test(names.kind)) {
    invalid('spec.names.kind', names.kind, 'must be a valid kind');
  }
  if (crd.metadata.name !== `${names.plural ?? ''}.${group}`) {
    invalid('metadata.name', crd.metadata.name, `must be spec.names.plural+"."+spec.group`);
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push({
      field: 'spec.scope',
      message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"`,
      reason: 'FieldValueNotSupported',
    });
  }
  const versions = spec.versions ?? [];
  if (versions.length === 0) {
    causes.push({
      field: 'spec.versions',
      message: 'Invalid value: null: must have exactly one version marked as storage version',
      reason: 'FieldValueInvalid',
    });
  } else if (versions.filter((v) => v.storage === true).length !== 1) {
    invalid(
      'spec.versions',
      versions.map((v) => v.name),
      'must have exactly one version marked as storage version',
    );
  }
  versions.forEach((version, index) => {
    if (!version.name || !DNS1035_LABEL.test(version.name)) {
      invalid(`spec.versions[${index}].name`, version.name ?? '', 'a DNS-1035 label');
    }
    if (version.schema?.openAPIV3Schema === undefined) {
      required(`spec.versions[${index}].schema.openAPIV3Schema`);
    }
    (version.additionalPrinterColumns ?? []).forEach((column, c) => {
      if (!column.name) {
        required(`spec.versions[${index}].additionalPrinterColumns[${c}].name`);
      }
      if (!column.jsonPath) {
        required(`spec.versions[${index}].additionalPrinterColumns[${c}].jsonPath`);
      }
    });
  });
  if (previous) {
    const before = crdSpec(previous);
    if (before.scope !== spec.scope) {
      invalid('spec.scope', spec.scope, 'field is immutable');
    }
    if (before.names?.plural !== names.plural) {
      invalid('spec.names.plural', names.plural, 'field is immutable');
    }
  }
  return causes;
}

/**
 * Kubernetes' version priority (`version.CompareKubeAwareVersionStrings`): GA before beta before
 * alpha, higher numbers first, then anything else alphabetically.
 */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!match) {
      return undefined;
    }
    const stability = match[2] === undefined ? 3 : match[2] === 'beta' ? 2 : 1;
    return [stability, Number(match[1]), Number(match[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) {
    return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2];
  }
  if (pa || pb) {
    return pa ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The resource types a CRD serves: one per served version, in version priority. */
export function typesOfCrd(crd: KubeObject): ResourceType[] {
  const spec = crdSpec(crd);
  const names = spec.names ?? {};
  const verbs = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
  return (spec.versions ?? [])
    .filter((v) => v.served === true && v.name)
    .sort((a, b) => compareKubeVersions(a.name!, b.name!))
    .map((version): ResourceType => {
      const custom: CustomResourceInfo = {
        crd: crd.metadata.name ?? '',
        listKind: names.listKind ?? `${names.kind ?? ''}List`,
        schema: version.schema?.openAPIV3Schema as Record<string, unknown> | undefined,
        printerColumns: version.additionalPrinterColumns ?? [],
        statusSubresource: version.subresources?.status !== undefined,
      };
      return {
        group: spec.group ?? '',
        version: version.name!,
        plural: names.plural ?? '',
        singular: names.singular ?? (names.kind ?? '').toLowerCase(),
        kind: names.kind ?? '',
        namespaced: spec.scope === 'Namespaced',
        shortNames: names.shortNames ?? [],
        verbs,
        ...(names.categories && names.categories.length > 0 ? { categories: names.categories } : {}),
        subresources: custom.statusSubresource
          ? [{ name: 'status', kind: names.kind ?? '', verbs: ['get', 'patch', 'update'] }]
          : [],
        hasGeneration: true,
        custom,
      };
    });
}

/** The name conflicts that keep NamesAccepted False: another served type claims this plural, kind or short name. */
export function nameConflict(crd: KubeObject, served: readonly ResourceType[]): string | undefined {
  const spec = crdSpec(crd);
  const names = spec.names ?? {};
  const others = served.filter((t) => t.group === spec.group && t.custom?.crd !== crd.metadata.name);
  if (others.some((t) => t.plural === names.plural)) {
    return `"${names.plural}" is already in use`;
  }
  if (names.singular && others.some((t) => t.singular === names.singular)) {
    return `"${names.singular}" is already in use`;
  }
  for (const shortName of names.shortNames ?? []) {
    if (others.some((t) => t.shortNames.includes(shortName))) {
      return `"${shortName}" is already in use`;
    }
  }
  if (others.some((t) => t.kind === names.kind)) {
    return `"${names.kind}" is already in use`;
  }
  return undefined;
}

/**
 * A custom resource's body on create and update: unknown fields pruned (returned, for the
 * `Warning` the server adds when fieldValidation is Warn), defaults filled, then validated.
 */
export function admitCustomResource(type: ResourceType, object: KubeObject): FieldCause[] {
  const schema = type.custom?.schema as StructuralSchema | undefined;
  if (!schema) {
    return [];
  }
  unknownCustomFields(schema, object, true);
  applyDefaults(schema, object);
  return validateAgainstSchema(schema, object);
}
