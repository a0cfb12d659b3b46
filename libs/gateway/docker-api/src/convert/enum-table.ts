// Two-way tables between proto enum values and the lower-case words of the Docker API.
import { ShoalError } from '@shoal/errors';

/** EnumTable maps a proto enum to Docker API words and back. */
export interface EnumTable<E extends number> {
  /** toDocker gives the Docker word of `value` ('' for a value the table does not know). */
  toDocker(value: E): string;
  /**
   * fromDocker reads a Docker word; '' gives `fallback`. Throws INVALID_ARGUMENT naming
   * `field` and the accepted words for anything else.
   */
  fromDocker(word: string, field: string, fallback: E): E;
}

/** enumTable builds an {@link EnumTable} from `[value, word]` pairs. */
export function enumTable<E extends number>(pairs: ReadonlyArray<readonly [E, string]>): EnumTable<E> {
  const words = new Map<E, string>(pairs.map(([v, w]) => [v, w]));
  const values = new Map<string, E>(pairs.map(([v, w]) => [w, v]));
  return {
    toDocker: (value) => words.get(value) ?? '',
    fromDocker: (word, field, fallback) => {
      if (word === '') return fallback;
      const value = values.get(word.toLowerCase());
      if (value === undefined) {
        const accepted = [...values.keys()].map((w) => JSON.stringify(w)).join(', ');
        throw ShoalError.invalidArgument(`invalid ${field}: ${JSON.stringify(word)} (expected one of ${accepted})`);
      }
      return value;
    },
  };
}
