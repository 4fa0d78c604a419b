/**
 * `kubereach check` over 1,000 manifest files (issue 19's floor: ≤ 2 s), the built dist/cli.js in
 * its own process as a CI job runs it (`-o json`, so the output is written in full), against the
 * floor of any YAML linter measured in the same run: a process that reads the same files and
 * parses them with the `yaml` package, nothing else. Medians of 5 alternating rounds.
 *
 * The files: 50 folders of 20, each folder an app of a namespace (Deployments, Services with a
 * wrong named targetPort now and then, NetworkPolicies, an Ingress), so the workspace checks
 * have workloads to compare with.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, metric, report } from './lib.ts';

const startedAt = new Date();
const root = resolve(import.meta.dirname, '..');
const FILES = Number(process.env.KUBEREACH_CLI_BENCH_FILES ?? 1000);
const ROUNDS = 5;
const PER_FOLDER = 20;

function deployment(app: string, namespace: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${namespace}
  labels: { app: ${app} }
spec:
  replicas: 2
  selector:
    matchLabels: { app: ${app} }
  template:
    metadata:
      labels: { app: ${app}, tier: web }
    spec:
      containers:
        - name: main
          image: registry.example.com/${app}:1.0
          ports:
            - { name: http, containerPort: 8080 }
            - { name: metrics, containerPort: 9100 }
          readinessProbe:
            httpGet: { path: /healthz, port: http }
`;
}

function service(app: string, namespace: string, i: number): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${namespace}
spec:
  selector: { app: ${app} }
  ports:
    - name: http
      port: 80
      targetPort: ${i % 7 === 0 ? 'htpp' : 'http'}
    - name: metrics
      port: 9100
      targetPort: metrics
`;
}

function policy(app: string, namespace: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${app}-ingress
  namespace: ${namespace}
spec:
  podSelector:
    matchLabels: { app: ${app} }
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector: { matchLabels: { tier: web } }
        - namespaceSelector: { matchLabels: { team: ${namespace} } }
      ports:
        - { port: http }
`;
}

function ingress(app: string, namespace: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${app}
  namespace: ${namespace}
spec:
  ingressClassName: nginx
  rules:
    - host: ${app}.${namespace}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: { name: ${app}, port: { name: http } }
`;
}

function writeFiles(dir: string): void {
  for (let i = 0; i < FILES; i++) {
    const folder = Math.floor(i / PER_FOLDER);
    const namespace = `team-${String(folder).padStart(2, '0')}`;
    const app = `app-${String(Math.floor((i % PER_FOLDER) / 4)).padStart(2, '0')}`;
    const path = join(dir, namespace);
    mkdirSync(path, { recursive: true });
    const kind = i % 4;
    const text =
      kind === 0
        ? deployment(app, namespace)
        : kind === 1
          ? service(app, namespace, i)
          : kind === 2
            ? policy(app, namespace)
            : ingress(app, namespace);
    writeFileSync(
      join(path, `${String(i).padStart(4, '0')}-${['deploy', 'svc', 'netpol', 'ing'][kind]}.yaml`),
      text,
    );
  }
}

/** The baseline: read every YAML file under the folder and parse it with `yaml`, in a fresh process. */
const PLAIN_PARSE = `
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
const dir = process.argv[1];
let documents = 0;
for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.yaml')) {
    documents += parseAllDocuments(readFileSync(join(dir, file), 'utf8')).length;
  }
}
process.stdout.write(JSON.stringify({ documents }));
`;

function timed(args: string[]): { ms: number; stdout: string; status: number | null } {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return { ms, stdout: result.stdout, status: result.status };
}

const dir = mkdtempSync(join(tmpdir(), 'kubereach-cli-bench-'));
try {
  writeFiles(dir);
  const cli = resolve(root, 'dist/cli.js');
  const checks: number[] = [];
  const parses: number[] = [];
  let summary: unknown;
  let documents = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const check = timed([cli, 'check', dir, '-o', 'json']);
    checks.push(check.ms);
    const output = JSON.parse(check.stdout) as { summary: { files: number } };
    if (output.summary.files !== FILES) {
      throw new Error(`kubereach check read ${output.summary.files} files, not ${FILES}`);
    }
    summary = output.summary;
    const parse = timed(['--input-type=module', '-e', PLAIN_PARSE, dir]);
    parses.push(parse.ms);
    documents = (JSON.parse(parse.stdout) as { documents: number }).documents;
  }
  const check = median(checks);
  const parse = median(parses);
  report(
    {
      benchmark: 'cli-check',
      metrics: [
        metric(
          `kubereach check, ${FILES} files (process, -o json)`,
          'ms',
          check,
          { name: `read + yaml parseAllDocuments of the same files (process)`, value: parse },
          { description: `≤ 2000 ms for 1,000 files`, met: FILES !== 1000 || check <= 2000 },
        ),
      ],
      details: {
        files: FILES,
        documents,
        rounds: ROUNDS,
        checkMs: checks.map(Math.round),
        parseMs: parses.map(Math.round),
        summary,
      },
    },
    startedAt,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
