/**
 * The Table printer of a custom resource (apiextensions' `tableconvertor`): Name, then the version's
 * `additionalPrinterColumns` (or Age when it has none), each cell the first result of the column's
 * JSONPath, typed by the column (`date` cells as ages, lists and maps as JSON, as kubectl shows
 * `["shop.example.com"]` for an HTTPRoute's hostnames).
 */
import { ageSince } from '../../src/analysis/duration.ts';
import { column, CREATION_DOC, NAME } from './printerBasics.ts';
import type { Printer } from './printerBasics.ts';
import type { PrinterColumn } from './resources.ts';

const DEFAULT_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Age', type: 'date', description: CREATION_DOC, jsonPath: '.metadata.creationTimestamp' },
];

export function customPrinter(columns: readonly PrinterColumn[]): Printer {
  const used = columns.length > 0 ? columns : DEFAULT_COLUMNS;
  const paths = used.map((c) => parseJsonPath(c.jsonPath));
  return {
    columns: [
      NAME,
      ...used.map((c) =>
        column(
          c.name,
          c.type,
          c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
          c.priority ?? 0,
          c.format ?? '',
        ),
      ),
    ],
    cells(object, now) {
      return [
        object.metadata?.name ?? '',
        ...used.map((c, i) => {
          const results = evaluate(paths[i]!, object);
          return results.length === 0 ? null : cell(c.type, results[0], now);
        }),
      ];
    },
  };
}

function cell(type: string, value: unknown, now: number): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string'
        ? Number.isNaN(Date.parse(value))
          ? '<invalid>'
          : ageSince(value, now)
        : null;
    default:
      return null;
  }
}

// ---- A JSONPath subset: .field, ['field'], [n], [*], [?(@.a.b=="x")] ---------------------------

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; value: string };

export function parseJsonPath(text: string): Step[] {
  const steps: Step[] = [];
  let rest = text
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .replace(/^\$/, '');
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^\.([A-Za-z0-9_\-$]+)/.exec(rest))) {
      steps.push({ kind: 'field', name: match[1]! });
    } else if ((match = /^\[['"]([^'"]+)['"]\]/.exec(rest))) {
      steps.push({ kind: 'field', name: match[1]! });
    } else if ((match = /^\[(-?\d+)\]/.exec(rest))) {
      steps.push({ kind: 'index', index: Number(match[1]) });
    } else if ((match = /^\[\*\]/.exec(rest))) {
      steps.push({ kind: 'all' });
    } else if ((match = /^\[\?\(@((?:\.[A-Za-z0-9_\-]+)+)\s*==\s*["']([^"']*)["']\)\]/.exec(rest))) {
      steps.push({ kind: 'filter', path: match[1]!.split('.').filter(Boolean), value: match[2]! });
    } else {
      // Not in the subset: the column stays empty, as an invalid path would at runtime.
      return [{ kind: 'field', name: '\u0000' }];
    }
    rest = rest.slice(match[0].length);
  }
  return steps;
}

export function evaluate(steps: readonly Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'field') {
        if (typeof value === 'object' && value !== null && !Array.isArray(value) && step.name in value) {
          next.push((value as Record<string, unknown>)[step.name]);
        }
      } else if (Array.isArray(value)) {
        if (step.kind === 'index') {
          const item = value.at(step.index);
          if (item !== undefined) {
            next.push(item);
          }
        } else if (step.kind === 'all') {
          next.push(...value);
        } else {
          next.push(
            ...value.filter((item) => {
              let field: unknown = item;
              for (const key of step.path) {
                field =
                  typeof field === 'object' && field !== null
                    ? (field as Record<string, unknown>)[key]
                    : undefined;
              }
              return typeof field === 'string' ? field === step.value : String(field) === step.value;
            }),
          );
        }
      }
    }
    current = next;
  }
  return current;
}
