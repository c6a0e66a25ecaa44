/**
 * What every `flowctl` command shares: exit codes scripts can trust, errors that say what to do next, and one output
 * discipline — with `--json`, stdout carries exactly one JSON document (the result, or `{ "error": … }`), and every
 * human line (progress, notes, errors) goes to stderr; without it, the human lines go to stdout and progress and
 * errors to stderr.
 */

/** Exit codes, documented in `flowctl --help` and the README. */
export const EXIT = {
  /** Everything asked for was done. */
  OK: 0,
  /** The command ran, but something was rejected, failed or is not redrivable: its output says which. */
  INCOMPLETE: 1,
  /** Usage or input error: a bad option or argument, an unreadable file. Nothing was sent. */
  USAGE: 2,
  /** The target could not be used: no such stack or output, no credentials or permission, an endpoint unreachable. */
  TARGET: 3,
  /** The named execution, DLQ message or schedule does not exist. */
  NOT_FOUND: 4,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0    everything asked for was done
  1    the command ran, but something was rejected, failed or is not redrivable (the output lists what and why)
  2    usage or input error (bad option, unreadable file); nothing was sent
  3    the target could not be used (stack or output missing, credentials, permissions, endpoint unreachable)
  4    the named execution, DLQ message or schedule does not exist
  130  interrupted (Ctrl-C)`;

/** An error a command expects: a message, what to do next, and the exit code it means. */
export class FlowctlError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'FlowctlError';
  }
}

export interface Output {
  readonly json: boolean;
  /** A line for people: stdout, or stderr with `--json`. */
  info(line: string): void;
  /** Progress of long work: always stderr. */
  progress(line: string): void;
  /** A warning: always stderr. */
  warn(line: string): void;
  /** The command's result: the one JSON document with `--json`; ignored without. */
  result(value: unknown): void;
  /** Reports an error (text to stderr; with `--json` also `{ "error": … }` on stdout). */
  error(error: FlowctlError): void;
}

/** A command's result: the JSON document with `--json`, else `print` writes it for people. Answers exit 0. */
export function showResult<T>(out: Output, value: T, print: (value: T, out: Output) => void): number {
  out.result(value);
  if (!out.json) print(value, out);
  return EXIT.OK;
}

export interface Streams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export function consoleOutput(json: boolean, streams: Streams = process): Output {
  return {
    json,
    info: (line) => (json ? streams.stderr : streams.stdout).write(`${line}\n`),
    progress: (line) => streams.stderr.write(`${line}\n`),
    warn: (line) => streams.stderr.write(`${line}\n`),
    result: (value) => {
      if (json) streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    error: (error) => {
      streams.stderr.write(`flowctl: ${error.message}\n${error.hint ? `  next: ${error.hint}\n` : ''}`);
      if (json) {
        streams.stdout.write(
          `${JSON.stringify({ error: { message: error.message, hint: error.hint ?? null, exitCode: error.exitCode } }, null, 2)}\n`,
        );
      }
    },
  };
}

/** An output that records everything: what tests and in-process callers of the command cores use. */
export function recordingOutput(json = false): Output & { readonly lines: string[]; readonly results: unknown[] } {
  const lines: string[] = [];
  const results: unknown[] = [];
  return {
    json,
    lines,
    results,
    info: (line) => lines.push(line),
    progress: (line) => lines.push(line),
    warn: (line) => lines.push(line),
    result: (value) => results.push(value),
    error: (error) => lines.push(`error: ${error.message}${error.hint ? ` (next: ${error.hint})` : ''}`),
  };
}

/**
 * Turns anything a command threw into a FlowctlError: AWS SDK errors about credentials, permissions and endpoints
 * become target errors with the next step, everything else keeps its message.
 */
export function toFlowctlError(error: unknown): FlowctlError {
  if (error instanceof FlowctlError) return error;
  const e = error as Error & { code?: string; $metadata?: unknown; cause?: { code?: string } };
  const name = e?.name ?? 'Error';
  const message = e?.message ?? String(error);
  const code = e?.code ?? e?.cause?.code;
  if (
    name === 'CredentialsProviderError' ||
    /ExpiredToken|UnrecognizedClient|InvalidClientTokenId|InvalidSignature|SignatureDoesNotMatch/.test(name)
  ) {
    return new FlowctlError(
      `AWS credentials: ${message}`,
      EXIT.TARGET,
      'configure credentials the standard way (AWS_PROFILE or --profile, `aws sso login`, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an instance role)',
    );
  }
  if (/AccessDenied|NotAuthorized|AuthorizationError/.test(name)) {
    return new FlowctlError(
      `permission denied: ${message}`,
      EXIT.TARGET,
      'use a role that may call this API on the stack resources (docs/runbook.md lists what each command calls)',
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || name === 'TimeoutError') {
    return new FlowctlError(
      `cannot reach the endpoint: ${message || code}`,
      EXIT.TARGET,
      'check the network and --region; for --local, is `flowctl local --serve` still running?',
    );
  }
  if (e?.$metadata !== undefined) return new FlowctlError(`${name}: ${message}`, EXIT.TARGET);
  return new FlowctlError(message, EXIT.USAGE);
}

/**
 * Runs a command body and sets the process exit code from what it returns or throws. Bodies return an exit code;
 * expected failures are thrown as {@link FlowctlError}.
 */
export async function runCommand(options: { json?: boolean }, body: (out: Output) => Promise<number>): Promise<void> {
  const out = consoleOutput(Boolean(options.json));
  try {
    process.exitCode = await body(out);
  } catch (error) {
    const failure = toFlowctlError(error);
    out.error(failure);
    process.exitCode = failure.exitCode;
  }
}

/** `3m12s`, `2h05m`, `4d03h`: an age for a table. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** `90s`, `30m`, `2h`, `7d`, `1h30m` → milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g)];
  const covered = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || covered.replace(/\s/g, '') !== trimmed.replace(/\s/g, '')) {
    throw new FlowctlError(`"${text}" is not a duration`, EXIT.USAGE, 'write it like 90s, 30m, 2h, 7d or 1h30m');
  }
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  return parts.reduce((total, p) => total + Number(p[1]) * unit[p[2]!]!, 0);
}

/** An option value that must be a whole number ≥ 1. */
export function positiveInteger(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new FlowctlError(`${option} ${text}: must be a whole number ≥ 1`, EXIT.USAGE);
  }
  return value;
}

/** A plain text table: a header and rows, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The human part of an error Cause: Lambda's `{"errorMessage": …}`, a JSON list of issues, or the text itself. */
export function causeText(cause: string | undefined | null): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as unknown;
    if (Array.isArray(parsed)) return parsed.map(String).join('; ');
    if (
      parsed &&
      typeof parsed === 'object' &&
      typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string'
    ) {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // Not JSON: the text is the message.
  }
  return cause;
}

/** Shortens text for a table cell. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
