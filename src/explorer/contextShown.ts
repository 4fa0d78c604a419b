/**
 * A context row says two different things apart: "shown" (the context KubeReach is looking at,
 * chosen with Switch Context) and "current in kubeconfig" (the file's current-context, which
 * kubectl uses). The shown one has the filled icon; the kubeconfig's current one says so in words.
 */
import type { Presentation } from './format.ts';

export function contextRowPresentation(
  base: Presentation,
  state: { readonly shown: boolean; readonly current: boolean },
): Presentation {
  const rest = base.description.split(' · ').filter((part) => part !== '' && part !== 'current');
  const description = [
    state.shown ? 'shown' : undefined,
    state.current ? 'current in kubeconfig' : undefined,
    ...rest,
  ].filter((part) => part !== undefined);
  const meaning = [
    state.shown
      ? '**Shown:** KubeReach shows this context.'
      : '**Not shown:** click to show it (Switch Context).',
    state.current
      ? "**Current in kubeconfig:** kubectl uses it (the file's current-context)."
      : 'Not the kubeconfig\'s current-context (kubectl does not use it; "Set as Kubeconfig Current Context…" makes it so).',
  ].join('\n\n');
  return {
    ...base,
    description: description.join(' · '),
    tooltip: `${base.tooltip}\n\n${meaning}`,
    icon: state.shown ? { id: 'vm-active', color: 'testing.iconPassed' } : { id: 'vm-outline' },
  };
}
