/**
 * Which workloads of the workspace a Service or a NetworkPolicy is compared with (KR3001–KR3004).
 *
 * A workspace often holds manifests that are never applied together: example folders, the apps of
 * a monorepo, a chart beside plain manifests. Comparing a Service with all of them turns every
 * namespace-less Deployment anywhere into a reason to warn. So:
 * - both manifests name a namespace: they are compared when it is the same one;
 * - either leaves its namespace to whoever applies it (`kubectl -n`, kustomize): they are compared
 *   only when they are applied together, which is read as
 *   - both listed by one kustomization (its `resources`, `bases` or `components`), when both are
 *     listed by some kustomization (an overlay that adds a Deployment to its base's Service is
 *     not compared: silence rather than a guess);
 *   - otherwise, the workload's file is in the folder of the Service's file or below it.
 *
 * Paths are absolute and `/`-separated (the caller converts platform paths).
 */

export interface Placement {
  readonly namespace: string | undefined;
  /** The file the manifest is written in. */
  readonly file: string;
}

/**
 * The folder of a `/`-separated path, without a trailing `/`. A document that is not a file
 * (`untitled:Untitled-1`) is its own folder: nothing else is in it.
 */
export function folderOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? file : slash === 0 ? '/' : file.slice(0, slash);
}

/** Whether a file is in this folder or below it. */
export function isWithin(file: string, folder: string): boolean {
  const prefix = folder.endsWith('/') ? folder : `${folder}/`;
  return file.startsWith(prefix);
}

export class WorkspaceScope {
  /** For each file listed by a kustomization: the folders of the kustomizations listing it. */
  private readonly units = new Map<string, Set<string>>();

  /**
   * @param kustomizations for each kustomization, its folder and the absolute paths of the files
   *   its `resources`, `bases` and `components` name. Only files listed directly count: a
   *   kustomization that lists the folders of others (an overlay, or one that gathers every app of
   *   a repository) does not make their manifests one unit.
   */
  constructor(kustomizations: ReadonlyMap<string, readonly string[]> = new Map()) {
    for (const [folder, resources] of kustomizations) {
      for (const file of resources) {
        let units = this.units.get(file);
        if (units === undefined) {
          units = new Set();
          this.units.set(file, units);
        }
        units.add(folder);
      }
    }
  }

  /** The kustomizations (their folders) that list a file. */
  unitsOf(file: string): ReadonlySet<string> {
    return this.units.get(file) ?? new Set();
  }

  /** Whether `workload` is compared with `subject` (a Service or a NetworkPolicy). */
  inScope(subject: Placement, workload: Placement): boolean {
    if (subject.namespace !== undefined && workload.namespace !== undefined) {
      return subject.namespace === workload.namespace;
    }
    if (subject.file === workload.file) {
      return true;
    }
    const subjectUnits = this.unitsOf(subject.file);
    const workloadUnits = this.unitsOf(workload.file);
    if (subjectUnits.size > 0 && workloadUnits.size > 0) {
      return [...subjectUnits].some((unit) => workloadUnits.has(unit));
    }
    return isWithin(workload.file, folderOf(subject.file));
  }
}
