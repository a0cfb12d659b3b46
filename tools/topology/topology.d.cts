// Types of topology.cjs for the TypeScript callers (e2e suite, bench:e2e).

/** PlannedProcess is one process of the local topology. */
export interface PlannedProcess {
  readonly name: string;
  readonly app: string;
  readonly phase: 'store' | 'ca' | 'control' | 'agent';
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly log: string;
  readonly pidFile: string;
}

/** Plan is a whole topology as `up` started it (also saved in <state>/run/topology.json). */
export interface Plan {
  readonly stateDir: string;
  readonly basePort: number;
  readonly host: string;
  readonly executor: 'docker' | 'process';
  readonly dockerSocket: string;
  readonly storeEndpoints: string;
  readonly processes: readonly PlannedProcess[];
  /** Where the processes' <app>/main.js live: dist/apps, or a copy in the state directory. */
  readonly appsDir: string;
}

/** Counts sizes the topology: raft-store members, scheduler replicas, node-agents. */
export interface Counts {
  readonly stores?: number;
  readonly schedulers?: number;
  readonly agents?: number;
}

/** UpOptions are `up`'s options. */
export interface UpOptions {
  readonly stateDir: string;
  readonly basePort?: number;
  readonly host?: string;
  readonly counts?: Counts;
  readonly executor?: 'docker' | 'process';
  readonly hostname?: string;
  readonly logLevel?: string;
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
  readonly stdio?: 'inherit' | 'pipe' | 'ignore';
  readonly env?: Readonly<Record<string, string>>;
  /** Processes planned (ports reserved) but not started; start them later with startOne. */
  readonly skip?: readonly string[];
  /** Run a copy of dist/apps taken at start (immune to rebuilds while the topology runs). */
  readonly snapshotApps?: boolean;
}

/** Outcome of stopping one process. */
export interface StopResult {
  readonly name: string;
  readonly outcome: 'not running' | 'stopped' | 'killed';
}

export declare const APPS: readonly string[];
export declare const ROOT: string;
export declare function build(opts?: { log?: (line: string) => void; stdio?: 'inherit' | 'pipe' | 'ignore' }): void;
export declare function up(opts: UpOptions): Promise<Plan>;
export declare function down(stateDir: string, opts?: { graceMs?: number; log?: (line: string) => void }): Promise<StopResult[]>;
export declare function startOne(plan: Plan, name: string, opts?: { timeoutMs?: number }): Promise<PlannedProcess>;
export declare function leaderOf(plan: Plan): Promise<PlannedProcess | null>;
export declare function activeOf(plan: Plan, app: string): Promise<PlannedProcess | null>;
export declare function engineAnswers(socket?: string, timeoutMs?: number): Promise<boolean>;
export declare function dockerHostOf(plan: Plan): string;
export declare function loadPlan(stateDir: string): Plan | null;
export declare function waitFor<T>(what: string, check: () => Promise<T | null | false | undefined>, timeoutMs: number): Promise<T>;
export declare const procs: {
  killProc(proc: PlannedProcess): Promise<void>;
  stopProc(proc: PlannedProcess, graceMs?: number): Promise<'not running' | 'stopped' | 'killed'>;
  readPid(proc: PlannedProcess): number | null;
  portFree(host: string, port: number): Promise<boolean>;
  tail(file: string, n?: number): string;
};
/** freeBasePort finds a base port whose whole slot range (gRPC and HTTP) is free. */
export declare function freeBasePort(slotsNeeded?: number): Promise<number>;
