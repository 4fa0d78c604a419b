/**
 * "Convert to Gateway API" on an Ingress: the HTTPRoute(s) that route its requests as it does
 * (src/analysis/gateway/convert.ts), and a Gateway when the workspace writes none, as the text of a
 * new file beside the Ingress's, headed by what does not carry over and which generated requests
 * the two route differently (convertYaml.ts). Pure: the language server picks the file name and
 * makes the edit.
 */
import type { Service } from '../k8s.ts';
import type { Ingress } from '../ingress.ts';
import { convertIngress, defaultParent } from '../gateway/convert.ts';
import { compareIngressConversion } from '../gateway/convertCompare.ts';
import { conversionYaml } from '../gateway/convertYaml.ts';
import type { Gateway, ObjectRef } from '../gateway/types.ts';
import type { ManifestFile, ManifestObject } from './document.ts';
import { targetAt } from './hover.ts';
import { isIngress } from './ingress.ts';
import { writtenGatewayApiKind } from './gateway.ts';
import type { WorkspaceModel } from './workspace.ts';

export interface IngressConversionAction {
  readonly title: string;
  /** The Ingress's name (for the new file's name). */
  readonly ingressName: string;
  /** The YAML of the new file. */
  readonly text: string;
  /** The Gateway the routes attach to, and whether the text writes it. */
  readonly parent: ObjectRef;
  readonly createsGateway: boolean;
  /** Generated requests the two route differently (0: same routing, caveats aside). */
  readonly differences: number;
}

/** The Gateway the routes attach to: one written in the workspace, else a new one. */
function chooseParent(
  ingress: Ingress,
  gateways: readonly Gateway[],
): { parent: ObjectRef; create: boolean } {
  const wanted = defaultParent(ingress);
  const named = gateways.find(
    (gateway) =>
      gateway.metadata.name === wanted.name &&
      (gateway.metadata.namespace ?? wanted.namespace) === wanted.namespace,
  );
  const http = [...gateways]
    .filter((gateway) => (gateway.spec?.listeners ?? []).some((listener) => listener.protocol === 'HTTP'))
    .sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`,
      ),
    );
  const found = named ?? http[0] ?? gateways[0];
  if (found === undefined) {
    return { parent: wanted, create: true };
  }
  return {
    parent: {
      namespace: found.metadata.namespace ?? wanted.namespace,
      name: found.metadata.name ?? wanted.name,
    },
    create: false,
  };
}

/**
 * The last conversion of each Ingress object, with the workspace model it was computed against:
 * editors ask for code actions on every cursor move, and an object is the same while its
 * document's text is (the parse cache keeps it); a new workspace model means the workspace changed.
 */
const memo = new WeakMap<
  object,
  { readonly workspace: WorkspaceModel | undefined; readonly action: IngressConversionAction }
>();

/** The conversion offered at this offset: on an Ingress (networking.k8s.io/v1) only. */
export function ingressConversionAt(
  file: ManifestFile,
  offset: number,
  workspace?: WorkspaceModel,
): IngressConversionAction | undefined {
  const found = targetAt(file, offset);
  if (
    found === undefined ||
    !isIngress(found.target.object) ||
    file.isPatch ||
    found.target.object.hasPatchDirectives
  ) {
    return undefined;
  }
  const object = found.target.object;
  const cached = memo.get(object);
  if (cached !== undefined && cached.workspace === workspace) {
    return cached.action;
  }
  const action = convertAt(object, workspace);
  if (action !== undefined) {
    memo.set(object, { workspace, action });
  }
  return action;
}

function convertAt(
  object: ManifestObject,
  workspace: WorkspaceModel | undefined,
): IngressConversionAction | undefined {
  const ingress = object.value as unknown as Ingress;
  if (ingress.metadata === undefined || typeof ingress.metadata !== 'object') {
    return undefined;
  }
  const gateways = (workspace?.gatewayApiObjects?.() ?? [])
    .filter((written) => writtenGatewayApiKind(written) === 'Gateway')
    .map((written) => written.value as unknown as Gateway);
  const services = (workspace?.services?.(object.namespace) ?? []).map(
    (written) => written.value as unknown as Service,
  );
  const { parent, create } = chooseParent(ingress, gateways);
  const conversion = convertIngress(ingress, { gateway: parent, createGateway: create, services });
  const comparison = compareIngressConversion({ ingress, conversion, services });
  const name = object.name ?? 'ingress';
  return {
    title: create
      ? `Convert to Gateway API (HTTPRoutes and a Gateway ${parent.namespace}/${parent.name}, in a new file)`
      : `Convert to Gateway API (HTTPRoutes on Gateway ${parent.namespace}/${parent.name}, in a new file)`,
    ingressName: name,
    text: conversionYaml(ingress, conversion, comparison),
    parent,
    createsGateway: create,
    differences: comparison.differences.length,
  };
}
