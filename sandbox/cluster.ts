/**
 * The simulated cluster: the store, who may do what, the write path every client and controller
 * goes through (admission, subresources, graceful deletion), and the controllers and data plane
 * that make Pods run, Services route and NetworkPolicies bite.
 */
import { defaultIngressClass, INGRESS_CLASS_ANNOTATION } from '../src/analysis/ingressValidation.ts';
import { admit } from './api/admission.ts';
import type { Allocators } from './api/admission.ts';
import type { ResourceType } from './api/resources.ts';
import { admitCustomResource, CRD_CLEANUP_FINALIZER, validateCrd } from './api/customResources.ts';
import { ResourceRegistry } from './api/registry.ts';
import { apiVersionOf, RESOURCES, resourceKey } from './api/resources.ts';
import { ApiError, errors } from './api/status.ts';
import { Store, timestamp } from './api/store.ts';
import type { KubeObject } from './api/store.ts';
import { CrdController } from './controllers/crds.ts';
import { DeploymentController } from './controllers/deployments.ts';
import { EndpointSliceController } from './controllers/endpointslices.ts';
import { EventRecorder } from './controllers/events.ts';
import { GarbageCollector } from './controllers/garbage.ts';
import { GatewayController } from './controllers/gateways.ts';
import { IngressStatusController } from './controllers/ingressStatus.ts';
import { Kubelet } from './controllers/kubelet.ts';
import { LoadBalancerController } from './controllers/loadBalancers.ts';
import { registerNodes } from './controllers/nodes.ts';
import { ContainerLogs } from './controllers/logs.ts';
import { ReplicaSetController } from './controllers/replicasets.ts';
import { DataPlane } from './dataplane/network.ts';
import type { PortLimit } from './dataplane/hostPorts.ts';
import { HostPortAnnotations } from './controllers/hostPortAnnotations.ts';
import { addressPlan, randomAddressBlock } from './dataplane/ipam.ts';
import type { AddressPlan } from './dataplane/ipam.ts';
import type { ScenarioConfig } from './scenario.ts';

export interface Rule {
  readonly verbs: readonly string[];
  /** `pods`, `pods/exec`, `*`. */
  readonly resources: readonly string[];
  readonly apiGroups?: readonly string[];
  /** Namespaces the rule applies in (a RoleBinding); absent means cluster-wide (a ClusterRoleBinding). */
  readonly namespaces?: readonly string[];
}

export interface User {
  readonly name: string;
  readonly token: string;
  /** 'all' is cluster-admin. */
  readonly rules: readonly Rule[] | 'all';
}

export interface Attributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

export interface WriteOptions {
  readonly dryRun?: boolean;
  readonly user?: User;
  readonly subresource?: string | undefined;
  readonly expectedResourceVersion?: string;
}

export interface ExecTarget {
  readonly pod: KubeObject;
  readonly container: { name: string; image: string };
  readonly tools: ReadonlySet<string>;
  readonly flavours: Readonly<Record<string, string>>;
}

export const SYSTEM_USER: User = { name: 'system:kube-controller-manager', token: '', rules: 'all' };

export function type(plural: string): ResourceType {
  const found = RESOURCES.find((r) => r.plural === plural);
  if (!found) {
    throw new Error(`unknown resource ${plural}`);
  }
  return found;
}

export class Cluster {
  readonly store = new Store();
  /** What this cluster serves: the built-in types and its established CRDs' versions. */
  readonly resources = new ResourceRegistry();
  readonly faults = {
    apiLatencyMs: 0,
    /** Nodes whose kubelet the API server cannot dial: exec and port-forward to their Pods get a 500. */
    unreachableKubelets: new Set<string>(),
  };
  /** What `pods/log` reads: the containers' output, kept by the kubelet. */
  readonly logs = new ContainerLogs();
  /** Events the scheduler and kubelet write (core/v1 and events.k8s.io/v1). */
  readonly events: EventRecorder = new EventRecorder(this);
  readonly scenario: ScenarioConfig;
  readonly dataplane: DataPlane;
  readonly kubelet: Kubelet;
  readonly endpointSlices: EndpointSliceController;
  readonly loadBalancers: LoadBalancerController;
  /** The built-in Gateway API controller (controllers/gateways.ts) and its proxy. */
  readonly gateways: GatewayController;
  readonly nodes: readonly { name: string; ip: string }[];
  private readonly users = new Map<string, User>();
  /** Where this sandbox's Pods, Services and nodes live in 127.0.0.0/8. */
  readonly addresses: AddressPlan;
  private readonly controllers: Array<{ stop(): void }> = [];
  private readonly logSink: (message: string) => void;
  /** Files written by exec'd commands, per container, so `curl -o /tmp/x` then `cat /tmp/x` works. */
  readonly containerFiles = new Map<string, Map<string, Buffer>>();

  constructor(
    scenario: ScenarioConfig,
    options: {
      log?: (message: string) => void;
      addressBlock?: number;
      portLimit?: PortLimit;
      wideAddresses?: boolean;
    } = {},
  ) {
    this.scenario = scenario;
    this.addresses = addressPlan(options.addressBlock ?? randomAddressBlock(), {
      wide: options.wideAddresses === true,
    });
    this.logSink = options.log ?? (() => undefined);
    for (const user of scenario.users) {
      this.users.set(user.token, user);
    }
    this.nodes = Array.from({ length: scenario.nodes }, (_, i) => ({
      name: `sandbox-node-${i + 1}`,
      ip: this.addresses.nodes.allocate(),
    }));
    this.dataplane = new DataPlane(this, options.portLimit);
    this.kubelet = new Kubelet(this);
    this.endpointSlices = new EndpointSliceController(this);
    this.loadBalancers = new LoadBalancerController(this);
    this.gateways = new GatewayController(this);
    this.controllers.push(
      new CrdController(this),
      this.kubelet,
      this.endpointSlices,
      this.loadBalancers,
      this.gateways,
      new ReplicaSetController(this),
      new DeploymentController(this),
      new GarbageCollector(this),
      new IngressStatusController(this),
      new HostPortAnnotations(this),
    );
  }

  log(message: string): void {
    this.logSink(message);
  }

  /** Creates what every cluster has before anyone uses it: system namespaces, the `kubernetes` Service. */
  bootstrap(): void {
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create(type('namespaces'), { metadata: { name } });
    }
    registerNodes(this);
    this.create(type('services'), {
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        clusterIP: this.addresses.kubernetesServiceIp,
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    });
  }

  stop(): void {
    for (const controller of this.controllers) {
      controller.stop();
    }
    this.dataplane.stop();
  }

  // --- identity ------------------------------------------------------------------------------

  authenticate(token: string): User | undefined {
    return this.users.get(token);
  }

  userNamed(name: string): User | undefined {
    return [...this.users.values()].find((u) => u.name === name);
  }

  authorize(user: User, attributes: Attributes): boolean {
    if (user.rules === 'all') {
      return true;
    }
    return user.rules.some(
      (rule) =>
        (rule.verbs.includes('*') || rule.verbs.includes(attributes.verb)) &&
        (rule.resources.includes('*') || rule.resources.includes(attributes.resource)) &&
        (rule.apiGroups === undefined ||
          rule.apiGroups.includes('*') ||
          rule.apiGroups.includes(attributes.group)) &&
        (rule.namespaces === undefined ||
          (attributes.namespace !== undefined && rule.namespaces.includes(attributes.namespace))),
    );
  }

  // --- writes --------------------------------------------------------------------------------

  readonly allocators: Allocators = {
    allocateClusterIP: () => this.addresses.services.allocate(),
    releaseClusterIP: (ip) => this.addresses.services.release(ip),
    nodePortsInUse: (namespace, name) => {
      const inUse = new Set<number>();
      for (const { object } of this.store.list(type('services'))) {
        if (object.metadata.namespace === namespace && object.metadata.name === name) {
          continue;
        }
        const spec = object.spec as { ports?: Array<{ nodePort?: number }>; healthCheckNodePort?: number };
        for (const port of spec.ports ?? []) {
          if (typeof port.nodePort === 'number') {
            inUse.add(port.nodePort);
          }
        }
        if (typeof spec.healthCheckNodePort === 'number') {
          inUse.add(spec.healthCheckNodePort);
        }
      }
      return inUse;
    },
  };

  allocatePodIP(): string {
    return this.addresses.pods.allocate();
  }

  releasePodIP(ip: string): void {
    this.addresses.pods.release(ip);
  }

  create(resource: ResourceType, input: KubeObject, options: WriteOptions = {}): KubeObject {
    const object = structuredClone(input);
    delete object.kind;
    delete object.apiVersion;
    object.metadata ??= {};
    if (resource.namespaced) {
      object.metadata.namespace ??= 'default';
      const namespace = this.store.peek(type('namespaces'), '', object.metadata.namespace);
      if (!namespace) {
        throw errors.notFound(type('namespaces'), object.metadata.namespace);
      }
      if ((namespace.status as { phase?: string } | undefined)?.phase === 'Terminating') {
        throw new ApiError({
          ...errors.forbidden('', resource).status,
          message: `${resource.plural} "${object.metadata.name ?? object.metadata.generateName ?? ''}" is forbidden: unable to create new content in namespace ${object.metadata.namespace} because it is being terminated`,
        });
      }
    } else {
      delete object.metadata.namespace;
    }
    // Status is the controllers' to write; a create's status is ignored except for what defaulting sets.
    // A custom resource without a status subresource keeps it: there status is part of the main resource.
    if (
      resource.plural !== 'namespaces' &&
      (resource.custom === undefined || resource.custom.statusSubresource)
    ) {
      delete object.status;
    }
    if (resource.plural === 'ingresses') {
      this.defaultIngressClass(object);
    }
    this.admitExtension(resource, object);
    admit(resource, object, this.allocators);
    object.metadata.managedFields = [managedFieldsEntry(resource, object, options.user, 'Update')];
    if (options.dryRun) {
      return { ...object, metadata: { ...object.metadata, uid: 'dry-run', creationTimestamp: timestamp() } };
    }
    return this.store.create(resource, object);
  }

  /** The DefaultIngressClass admission plugin: an Ingress created without a class gets the default one. */
  private defaultIngressClass(object: KubeObject): void {
    const spec = (object.spec ?? {}) as { ingressClassName?: string };
    if (spec.ingressClassName !== undefined || object.metadata.annotations?.[INGRESS_CLASS_ANNOTATION]) {
      return;
    }
    const chosen = defaultIngressClass(this.store.list(type('ingressclasses')).map(({ object: c }) => c));
    if (chosen !== undefined) {
      object.spec = { ...spec, ingressClassName: chosen };
    }
  }

  update(resource: ResourceType, input: KubeObject, options: WriteOptions = {}): KubeObject {
    // The status subresource reads only the status it is given: copying the rest of the object
    // (the whole Pod, for every status a kubelet writes) was most of a large sandbox's start.
    const object: KubeObject =
      options.subresource === 'status'
        ? {
            ...input,
            metadata: { ...input.metadata },
            // A plain JSON copy: statuses are JSON, and this is several times faster than structuredClone.
            status: input.status === undefined ? undefined : JSON.parse(JSON.stringify(input.status)),
          }
        : structuredClone(input);
    delete object.kind;
    delete object.apiVersion;
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    const current = this.store.peek(resource, namespace, name);
    if (!current) {
      throw errors.notFound(resource, name);
    }
    const subresource = options.subresource;
    let next: KubeObject;
    // Stored objects are never mutated, so a new version may share their unchanged parts.
    if (subresource === 'status') {
      // The status subresource changes status only.
      next = { ...current, metadata: { ...current.metadata }, status: object.status };
    } else if (subresource === 'ephemeralcontainers') {
      const spec = { ...(current.spec as Record<string, unknown>) };
      spec.ephemeralContainers =
        (object.spec as Record<string, unknown> | undefined)?.ephemeralContainers ?? [];
      next = { ...current, metadata: { ...current.metadata }, spec };
    } else if (subresource !== undefined) {
      throw errors.methodNotAllowed();
    } else {
      next = object;
      // The main resource cannot change status (except namespaces, whose status admission derives,
      // and custom resources without a status subresource).
      if (resource.custom !== undefined && !resource.custom.statusSubresource) {
        // Kept as sent.
      } else if (current.status !== undefined) {
        next.status = current.status;
      } else {
        delete next.status;
      }
      if (resource.plural === 'pods') {
        this.checkPodUpdate(current, next);
      }
      this.admitExtension(resource, next, current);
      admit(resource, next, this.allocators, current);
    }
    if (subresource === 'status' && resource.custom) {
      this.admitExtension(resource, next, current);
    }
    const specChanged =
      current.spec !== next.spec && JSON.stringify(current.spec) !== JSON.stringify(next.spec);
    next.metadata.managedFields = [managedFieldsEntry(resource, next, options.user, 'Update', subresource)];
    if (options.dryRun) {
      return next;
    }
    const updated = this.store.update(resource, next, {
      ...(options.expectedResourceVersion !== undefined
        ? { expectedResourceVersion: options.expectedResourceVersion }
        : {}),
      bumpGeneration: resource.hasGeneration && specChanged,
    });
    return updated;
  }

  /**
   * Pods delete gracefully: the first DELETE sets deletionTimestamp and the kubelet removes the Pod
   * when its containers have stopped. Namespaces delete their content first. Everything else goes at once.
   */
  delete(
    resource: ResourceType,
    namespace: string,
    name: string,
    options: { gracePeriodSeconds?: number | undefined; dryRun?: boolean } = {},
  ): KubeObject {
    const current = this.store.peek(resource, namespace, name);
    if (!current) {
      throw errors.notFound(resource, name);
    }
    if (options.dryRun) {
      return structuredClone(current);
    }
    if (resource.plural === 'pods') {
      const spec = current.spec as { terminationGracePeriodSeconds?: number };
      const grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
      const phase = (current.status as { phase?: string } | undefined)?.phase;
      const scheduled = Boolean((current.spec as { nodeName?: string }).nodeName);
      if (grace > 0 && scheduled && phase !== 'Succeeded' && phase !== 'Failed') {
        if (current.metadata.deletionTimestamp) {
          return structuredClone(current);
        }
        const terminating = structuredClone(current);
        terminating.metadata.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000));
        terminating.metadata.deletionGracePeriodSeconds = grace;
        const updated = this.store.update(resource, terminating);
        this.kubelet.terminate(namespace, name, grace);
        return updated;
      }
    }
    if (resource.custom === undefined && resource.plural === 'customresourcedefinitions') {
      // The CRD's REST delete: terminating, with the cleanup finalizer the CRD controller acts on.
      if (current.metadata.deletionTimestamp) {
        return structuredClone(current);
      }
      const conditions = (
        (current.status as { conditions?: unknown[] } | undefined)?.conditions ?? []
      ).filter((c) => (c as { type?: string }).type !== 'Terminating');
      const terminating: KubeObject = {
        ...current,
        metadata: {
          ...current.metadata,
          deletionTimestamp: timestamp(),
          finalizers: [...(current.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER],
        },
        status: {
          ...(current.status as Record<string, unknown>),
          conditions: [
            ...conditions,
            {
              type: 'Terminating',
              status: 'True',
              lastTransitionTime: timestamp(),
              reason: 'InstanceDeletionInProgress',
              message: 'CustomResource deletion is in progress',
            },
          ],
        },
      };
      return this.store.update(resource, terminating);
    }
    if (resource.plural === 'namespaces') {
      if (['default', 'kube-system', 'kube-public'].includes(name)) {
        throw new ApiError({
          ...errors.forbidden('', resource, name).status,
          message: `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        });
      }
      const terminating = structuredClone(current);
      terminating.metadata.deletionTimestamp = timestamp();
      terminating.status = { phase: 'Terminating' };
      const updated = this.store.update(resource, terminating);
      setImmediate(() => this.finishNamespaceDeletion(name));
      return updated;
    }
    return this.store.delete(resource, namespace, name);
  }

  private finishNamespaceDeletion(name: string): void {
    for (const resource of this.storedTypes()) {
      if (!resource.namespaced) {
        continue;
      }
      for (const { object } of this.store.list(resource, name)) {
        if (this.store.peek(resource, name, object.metadata.name!)) {
          this.store.delete(resource, name, object.metadata.name!);
        }
      }
    }
    if (this.store.peek(type('namespaces'), '', name)) {
      this.store.delete(type('namespaces'), '', name);
    }
  }

  /** One type per stored resource (a CRD's versions share one bucket), for sweeps over every object. */
  storedTypes(): ResourceType[] {
    const seen = new Set<string>();
    return this.resources.all().filter((t) => {
      const key = resourceKey(t);
      return seen.has(key) ? false : (seen.add(key), true);
    });
  }

  /** CRDs are validated as apiextensions does; custom resources are pruned, defaulted and checked by their schema. */
  private admitExtension(resource: ResourceType, object: KubeObject, previous?: KubeObject): void {
    if (resource.custom) {
      const causes = admitCustomResource(resource, object);
      if (causes.length > 0) {
        throw errors.invalid(resource, object.metadata.name ?? '', causes);
      }
    } else if (resource.plural === 'customresourcedefinitions') {
      const causes = validateCrd(object, previous);
      if (causes.length > 0) {
        throw errors.invalid(resource, object.metadata.name ?? '', causes);
      }
    }
  }

  private checkPodUpdate(current: KubeObject, next: KubeObject): void {
    const strip = (spec: unknown) => {
      const copy = structuredClone(spec) as Record<string, unknown>;
      for (const container of (copy.containers as Array<Record<string, unknown>> | undefined) ?? []) {
        delete container.image;
      }
      delete copy.activeDeadlineSeconds;
      delete copy.tolerations;
      delete copy.terminationGracePeriodSeconds;
      delete copy.ephemeralContainers;
      return JSON.stringify(copy);
    };
    next.spec ??= {};
    const nextSpec = next.spec as Record<string, unknown>;
    const currentSpec = current.spec as Record<string, unknown>;
    // Defaults the client may not have sent are kept from the stored spec.
    for (const key of Object.keys(currentSpec)) {
      if (!(key in nextSpec)) {
        nextSpec[key] = structuredClone(currentSpec[key]);
      }
    }
    if (strip(currentSpec) !== strip(nextSpec)) {
      throw errors.invalid(type('pods'), next.metadata.name ?? '', [
        {
          field: 'spec',
          reason: 'FieldValueForbidden',
          message:
            'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        },
      ]);
    }
  }

  // --- exec and port-forward -----------------------------------------------------------------

  /** What `pods/exec` runs against, or the error a real API server gives before upgrading. */
  execTarget(namespace: string, name: string, containerName: string | undefined): ExecTarget {
    const pod = this.store.peek(type('pods'), namespace, name);
    if (!pod) {
      throw errors.notFound(type('pods'), name);
    }
    const spec = pod.spec as {
      containers: Array<{ name: string; image: string }>;
      ephemeralContainers?: Array<{ name: string; image: string }>;
    };
    const status = (pod.status ?? {}) as {
      phase?: string;
      ephemeralContainerStatuses?: Array<{ name: string; state?: { running?: unknown } }>;
    };
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      throw errors.badRequest(
        `cannot exec into a container in a completed pod; current phase is ${status.phase}`,
      );
    }
    const all = [...spec.containers, ...(spec.ephemeralContainers ?? [])];
    let container = containerName ? all.find((c) => c.name === containerName) : spec.containers[0];
    if (!container) {
      throw errors.badRequest(`container ${containerName} is not valid for pod ${name}`);
    }
    const isEphemeral = (spec.ephemeralContainers ?? []).some((c) => c.name === container!.name);
    if (isEphemeral) {
      const running = status.ephemeralContainerStatuses?.find((s) => s.name === container!.name)?.state
        ?.running;
      if (!running) {
        throw errors.badRequest(`container ${container.name} is not valid for pod ${name}`);
      }
    } else if (!this.kubelet.isContainerRunning(pod, container.name)) {
      throw errors.badRequest(`unable to upgrade connection: container not found ("${container.name}")`);
    }
    this.dialKubelet(pod);
    container = { name: container.name, image: container.image };
    const toolset = this.scenario.toolsetFor(container.image);
    return {
      pod: structuredClone(pod),
      container,
      tools: new Set(toolset.tools),
      flavours: toolset.flavours,
    };
  }

  portForwardTarget(namespace: string, name: string): KubeObject {
    const pod = this.store.peek(type('pods'), namespace, name);
    if (!pod) {
      throw errors.notFound(type('pods'), name);
    }
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase !== 'Running') {
      throw errors.badRequest(`unable to upgrade connection: pod does not exist`);
    }
    this.dialKubelet(pod);
    return structuredClone(pod);
  }

  /**
   * As the API server proxying to the kubelet of the Pod's node: when it cannot dial it (a kubelet
   * down, a firewall between control plane and nodes), the answer is a 500 whose Status message is
   * the dial error (apiserver's ErrorToAPIStatus of an error that is not a Status: no reason).
   */
  private dialKubelet(pod: KubeObject): void {
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (nodeName === undefined || !this.faults.unreachableKubelets.has(nodeName)) {
      return;
    }
    const ip = this.nodes.find((node) => node.name === nodeName)?.ip ?? nodeName;
    throw new ApiError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `error dialing backend: dial tcp ${ip}:10250: connect: connection refused`,
      code: 500,
    });
  }
}

/** A managedFields entry shaped like the API server's, so clients see (and can strip) realistic bulk. */
function managedFieldsEntry(
  resource: ResourceType,
  object: KubeObject,
  user: User | undefined,
  operation: 'Update' | 'Apply',
  subresource?: string,
): Record<string, unknown> {
  const fields = (value: unknown, depth: number): Record<string, unknown> => {
    if (depth === 0 || typeof value !== 'object' || value === null || Array.isArray(value)) {
      return {};
    }
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      result[`f:${key}`] = fields(child, depth - 1);
    }
    return result;
  };
  const { metadata, status: _status, ...rest } = object;
  return {
    manager: user?.name === SYSTEM_USER.name ? 'kube-controller-manager' : 'kubectl-client-side-apply',
    operation,
    apiVersion: apiVersionOf(resource),
    time: timestamp(),
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': fields({ labels: metadata.labels, annotations: metadata.annotations }, 3),
      ...fields(rest, 4),
    },
    ...(subresource ? { subresource } : {}),
  };
}
