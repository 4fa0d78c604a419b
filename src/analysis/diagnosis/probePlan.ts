/**
 * What the Diagnoser probes live (src/diagnose/diagnoser.ts): the target as the application
 * addresses it (a name that does not resolve included: the probe shows what the application sees),
 * then each backing Pod directly, ready ones first, on the port a connection reaches on it.
 */
import type { Protocol } from '../k8s.ts';
import type { NameStage } from './name.ts';
import { isPodReady } from './readiness.ts';
import { backendPort } from './service.ts';
import type { TargetStage } from './target.ts';
import type { DiagnosisTarget, ProbePlan } from './types.ts';
import { nameOf, nsOf, podIp } from './world.ts';

/** What the Diagnoser probes: the target as the application addresses it, then each Pod directly. */
export function probePlan(
  name: NameStage,
  stage: TargetStage,
  target: DiagnosisTarget,
  protocol: Protocol,
  maxProbed: number,
): ProbePlan {
  const port = stage.port ?? (typeof target.port === 'number' ? target.port : 0);
  let primary: ProbePlan['primary'];
  if (stage.context !== undefined && name.host !== undefined && port > 0) {
    primary = {
      label: `${name.host}:${port}`,
      host: name.host,
      port,
      service: { namespace: stage.context.namespace, name: stage.context.name },
    };
  } else if (name.pod !== undefined && podIp(name.pod) !== undefined && port > 0) {
    primary = {
      label: `${nsOf(name.pod)}/${nameOf(name.pod)}:${port}`,
      host: podIp(name.pod)!,
      port,
      pod: { namespace: nsOf(name.pod), name: nameOf(name.pod) },
    };
  } else if (name.pod === undefined && name.host !== undefined && port > 0) {
    // A name that does not resolve is still probed: the probe shows what the application sees.
    primary = { label: `${name.host}:${port}`, host: name.host, port };
  }
  const context = stage.context;
  const servicePort = context?.port;
  const pods =
    context === undefined || servicePort === undefined
      ? []
      : context.selected
          .filter((pod) => podIp(pod) !== undefined && pod.metadata.deletionTimestamp == null)
          .flatMap((pod) => {
            const reached = backendPort(context.service, servicePort, pod);
            return reached === undefined ? [] : [{ pod, port: reached }];
          })
          .sort((a, b) => Number(isPodReady(b.pod)) - Number(isPodReady(a.pod)))
          .slice(0, maxProbed)
          .map(({ pod, port: reached }) => ({
            namespace: nsOf(pod),
            name: nameOf(pod),
            ip: podIp(pod)!,
            port: reached,
            ready: isPodReady(pod),
          }));
  return {
    ...(primary === undefined ? {} : { primary }),
    pods,
    http: stage.http,
    ...(protocol === 'TCP'
      ? {}
      : { note: `The probe tools connect over TCP; a ${protocol} port cannot be checked live.` }),
  };
}
