// Public surface of @shoal/ids: SwarmKit-style 25-character base-36 object IDs.
export { ID_LENGTH, isId, newId, SHORT_ID_LENGTH, shortId } from './id';
