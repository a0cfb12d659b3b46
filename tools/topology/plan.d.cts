// Types of plan.cjs for TypeScript callers.
import type { Counts, Plan } from './topology.cjs';

/** PlanOptions are makePlan's options (see plan.cjs). */
export interface PlanOptions {
  readonly stateDir: string;
  readonly basePort?: number;
  readonly host?: string;
  readonly counts?: Counts;
  readonly executor?: 'docker' | 'process';
  readonly joinToken?: string;
  readonly hostname?: string;
  readonly logLevel?: string;
}

export declare const DEFAULT_BASE_PORT: number;
export declare const HTTP_OFFSET: number;
export declare function makePlan(opts: PlanOptions): Omit<Plan, 'appsDir'>;
export declare function processNames(counts?: Counts): string[];
export declare function appOf(name: string): string;
