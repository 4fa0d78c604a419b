/**
 * Durations printed the way kubectl and the API server's table printers print them
 * (k8s.io/apimachinery/pkg/util/duration), so that an AGE shown by KubeReach reads exactly like the
 * one `kubectl get` shows for the same object at the same moment.
 *
 * Go computes these on an integer nanosecond Duration with truncating division; `Math.trunc` on
 * milliseconds reproduces that for every value a clock can produce.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * `HumanDuration`: about two or three significant figures ("45s", "3m12s", "5h", "3d4h", "2y10d").
 * This is what every AGE column and the "(2m ago)" of the pod RESTARTS column use.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) {
    return '<invalid>';
  }
  // Up to two seconds in the future counts as now: client and server clocks disagree a little.
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) {
    return '<invalid>';
  } else if (seconds < 0) {
    return '0s';
  } else if (seconds < 60 * 2) {
    return `${seconds}s`;
  }
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  } else if (minutes < 60 * 3) {
    return `${minutes}m`;
  }
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  } else if (hours < 48) {
    return `${hours}h`;
  }
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  } else if (hours < 24 * 365 * 2) {
    return `${days}d`;
  }
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/**
 * `ShortHumanDuration`: a single unit ("45s", "3m", "5h", "3d", "2y"). kubectl's pod printer does not
 * use it (RESTARTS says "(3m12s ago)", from `humanDuration`); it is here for compact labels.
 */
export function shortHumanDuration(ms: number): string {
  if (!Number.isFinite(ms)) {
    return '<invalid>';
  }
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) {
    return '<invalid>';
  } else if (seconds < 0) {
    return '0s';
  } else if (seconds < 60) {
    return `${seconds}s`;
  }
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 60) {
    return `${minutes}m`;
  }
  const hours = Math.trunc(ms / HOUR);
  if (hours < 24) {
    return `${hours}h`;
  } else if (hours < 24 * 365) {
    return `${Math.trunc(hours / 24)}d`;
  }
  return `${Math.trunc(ms / HOUR / 24 / 365)}y`;
}

/**
 * `translateTimestampSince` of the printers: the age of an RFC 3339 timestamp at `now`, or
 * "<unknown>" when the timestamp is absent (Go's zero time).
 */
export function ageSince(timestamp: string | null | undefined, now: number): string {
  if (timestamp == null || timestamp === '') {
    return '<unknown>';
  }
  return humanDuration(now - Date.parse(timestamp));
}
