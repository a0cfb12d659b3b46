// The secrets and configs the dispatcher sent this node with its tasks (SwarmKit's agent keeps
// them in its secrets and configs managers). They live in memory only: a restarted agent gets
// them again in the COMPLETE assignments message.
import type { Config, Secret } from '@shoal/proto';

/** DependencyChange is one secret or config upserted or removed by an assignments message. */
export type DependencyChange =
  | { readonly kind: 'secret'; readonly action: 'upsert'; readonly secret: Secret }
  | { readonly kind: 'config'; readonly action: 'upsert'; readonly config: Config }
  | { readonly kind: 'secret' | 'config'; readonly action: 'remove'; readonly id: string };

/** DependencyStore holds this node's secrets and configs by ID. */
export class DependencyStore {
  private readonly secrets = new Map<string, Secret>();
  private readonly configs = new Map<string, Config>();

  /** apply takes one message's changes; a COMPLETE message replaces everything held. */
  apply(complete: boolean, changes: readonly DependencyChange[]): void {
    if (complete) {
      this.secrets.clear();
      this.configs.clear();
    }
    for (const c of changes) {
      if (c.action === 'remove') (c.kind === 'secret' ? this.secrets : this.configs).delete(c.id);
      else if (c.kind === 'secret') this.secrets.set(c.secret.id, c.secret);
      else this.configs.set(c.config.id, c.config);
    }
  }

  /** secret returns the secret `id`, if this node was sent it. */
  secret(id: string): Secret | undefined {
    return this.secrets.get(id);
  }

  /** config returns the config `id`, if this node was sent it. */
  config(id: string): Config | undefined {
    return this.configs.get(id);
  }
}
