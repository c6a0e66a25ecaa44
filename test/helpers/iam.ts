/**
 * IAM checked against the code: which AWS actions a piece of code takes, read from the code itself, and whether a
 * synthesized policy allows an action on a resource.
 *
 * The actions: from an entry file, follow its relative imports (and the `@aws-lambda-powertools/*` modules it uses,
 * which send SDK commands of their own: idempotency's DynamoDB layer, the secrets provider), and collect every
 * `…Command` class imported from an `@aws-sdk/client-*` package. A command is authorized as the action of its name
 * without `Command`, in the client's IAM service prefix; SQS batch calls are authorized as their single form
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../../cdk/constructs/house-function.ts';
import { asArray, rendered, type Statement } from './synth.ts';

/** IAM service prefix of each SDK client package the code uses. */
const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  'client-sqs': 'sqs',
  'client-sfn': 'states',
  'client-dynamodb': 'dynamodb',
  'client-secrets-manager': 'secretsmanager',
  'client-mediaconnect': 'mediaconnect',
  'client-scheduler': 'scheduler',
  'client-cloudformation': 'cloudformation',
  'client-lambda': 'lambda',
  'client-eventbridge': 'events',
};

const BATCH_AS_SINGLE: Readonly<Record<string, string>> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

const requireFrom = createRequire(import.meta.url).resolve;

const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:\{([^}]*)\}|[\w*\s,{}]+)?\s*from\s+['"]([^'"]+)['"]/g;
const DYNAMIC_IMPORT = /import\(\s*['"]([^'"]+)['"]\s*\)/g;

/**
 * Every AWS action the code reachable from these files (relative to the repository root) can take; files matching
 * `exclude` (relative paths) are not read, nor followed.
 */
export function actionsOfCode(entries: readonly string[], exclude?: RegExp): Set<string> {
  const actions = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (exclude?.test(relative(REPO_ROOT, file))) return;
    const text = readFileSync(file, 'utf8');
    const specifiers: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const [, names, specifier] = match as unknown as [string, string | undefined, string];
      const client = /^@aws-sdk\/(client-[a-z0-9-]+)$/.exec(specifier);
      if (client) {
        const prefix = SERVICE_PREFIX[client[1]!];
        for (const raw of (names ?? '').split(',')) {
          const name = raw
            .replace(/^\s*type\s+/, '')
            .split(/\s+as\s+/)[0]!
            .trim();
          if (!name.endsWith('Command')) continue;
          if (!prefix) throw new Error(`${file}: no IAM service prefix known for @aws-sdk/${client[1]}`);
          const action = `${prefix}:${name.slice(0, -'Command'.length)}`;
          actions.add(BATCH_AS_SINGLE[action] ?? action);
        }
      }
      specifiers.push(specifier);
    }
    for (const match of text.matchAll(DYNAMIC_IMPORT)) specifiers.push(match[1]!);
    for (const specifier of specifiers) {
      const next = resolveModule(file, specifier);
      if (next) visit(next);
    }
  };
  for (const entry of entries) visit(join(REPO_ROOT, entry));
  return actions;
}

/** A relative import as a file, or a Powertools module as its ESM file; anything else is not followed. */
function resolveModule(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const base = resolve(dirname(from), specifier);
    for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}.js`, join(base, 'index.js')]) {
      try {
        readFileSync(candidate);
        return candidate;
      } catch {}
    }
    return undefined;
  }
  if (specifier.startsWith('@aws-lambda-powertools/')) {
    // The package's CommonJS entry, read as its ESM twin (the form whose imports this scan reads). A subpath the
    // package does not export is an internal of Powertools' own: its exported modules are followed instead.
    try {
      return requireFrom(specifier).replace('/lib/cjs/', '/lib/esm/');
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Every `.ts` file under a folder of the repository (for code without one entry, like `cli/`). */
export function filesUnder(folder: string, list: (dir: string) => string[]): string[] {
  return list(join(REPO_ROOT, folder))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => relative(REPO_ROOT, f));
}

/** `*` in an IAM pattern matches any run of characters; everything else literally. */
export function globMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
  return regex.test(value);
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether some Allow statement grants the action on the resource (conditions are not evaluated). */
export function isAllowed(statements: readonly Statement[], action: string, resource: string): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      asArray(s.Action).some((a) => globMatches(a, action)) &&
      asArray(s.Resource).some((r) => globMatches(rendered(r), resource)),
  );
}

/** Each (action, resource pattern) a set of statements grants, resources rendered as text. */
export function grantsOf(statements: readonly Statement[]): { action: string; resource: string }[] {
  return statements
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) =>
      asArray(s.Action).flatMap((action) => asArray(s.Resource).map((r) => ({ action, resource: rendered(r) }))),
    );
}

/** A concrete resource a pattern stands for (`*` filled), to ask whether a grant covers it. */
export const sampleOf = (pattern: string) => pattern.replaceAll('*', 'sample-1');
