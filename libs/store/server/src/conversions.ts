// Conversions between the store core's vocabulary and the wire messages of store.proto.
import { ShoalError } from '@shoal/errors';
import {
  wrapStoredObject,
  type ObjectKind,
  type StoredKindName,
  type StoredObject,
  type UnwrappedStoredObject,
  type Version,
  type WatchEvent,
  type WatchResponse,
} from '@shoal/proto';
import {
  changeActionOf,
  kindOfObjectKind,
  type StoreEvent,
  type TransactionFailure,
  type WatchMessage,
} from '@shoal/store';

/** versionOf wraps a version number as the proto Version. */
export function versionOf(index: number): Version {
  return { index };
}

/** kindOf maps a request's ObjectKind to a kind name; INVALID_ARGUMENT naming `field`. */
export function kindOf(kind: ObjectKind, field = 'kind'): StoredKindName {
  const name = kindOfObjectKind(kind);
  if (name === undefined) {
    throw ShoalError.invalidArgument(`field ${field}: ${kind} is not a stored kind`, { field });
  }
  return name;
}

/** wrapObject turns an unwrapped (kind, object) pair into a StoredObject. */
export function wrapObject(object: UnwrappedStoredObject | StoreEvent): StoredObject {
  return wrapStoredObject(object.kind, object.object as never);
}

/** watchEventOf renders a store event on the wire. */
export function watchEventOf(event: StoreEvent): WatchEvent {
  return {
    action: changeActionOf(event.action),
    object: wrapObject(event),
    oldObject: event.oldObject === undefined ? undefined
      : wrapStoredObject(event.kind, event.oldObject as never),
  };
}

/**
 * watchResponseOf renders a progress or transaction message of a watcher; `closed` messages
 * are the stream's end, not a response, and return undefined.
 */
export function watchResponseOf(message: WatchMessage): WatchResponse | undefined {
  if (message.type === 'progress') {
    return { event: { $case: 'progress', progress: { version: versionOf(message.version) } } };
  }
  if (message.type === 'transaction') {
    const transaction = {
      version: versionOf(message.version),
      events: message.events.map(watchEventOf),
    };
    return { event: { $case: 'transaction', transaction } };
  }
  return undefined;
}

/**
 * failureError turns a rejected transaction into the ShoalError its caller sees: the core's
 * error, with the failing change's index added to the details (StoreErrorDetail).
 */
export function failureError(failure: TransactionFailure): ShoalError {
  const { error, changeIndex } = failure;
  if (changeIndex === undefined) return error;
  const details = { ...error.details, changeIndex: String(changeIndex) };
  return new ShoalError(error.code, error.message, details, { cause: error });
}
