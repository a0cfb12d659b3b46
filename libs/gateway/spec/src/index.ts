// Public surface of @shoal/gateway-spec: the api-gateway's pure spec logic: validation with
// dockerd's error texts, SwarmKit's service defaults, list filters, service status counts and
// redaction. Every validator throws ShoalError INVALID_ARGUMENT (UNIMPLEMENTED for changes
// SwarmKit refuses that way).
export { parseConstraint, parseConstraints, type Constraint, type ConstraintOperator } from './constraints';
export { validateContainerSpec, validateMount } from './container';
export { defaultRestartPolicy, defaultUpdateConfig, withServiceDefaults } from './defaults';
export { formatMs } from './durations';
export { protocolName, validateEndpointSpec } from './endpoint';
export {
  commonMatch,
  labelsMatch,
  nodeDisplayName,
  nodeMatches,
  runtimeOf,
  taskDisplayName,
  taskMatches,
  type CommonFilters,
} from './filters';
export { parseImageReference, referenceError, validateImage, type ImageReference } from './image-reference';
export { invalid } from './invalid';
export { validateAnnotations, validateLabels, validateSecretName } from './names';
export {
  CLUSTER_NAME,
  validateClusterSpec,
  validateConfigSpec,
  validateNetworkSpec,
  validateNodeSpec,
  validateSecretSpec,
} from './object-specs';
export { validateHealthcheck, validateRestartPolicy, validateUpdateConfig } from './policies';
export { clusterView, secretView, serviceView, taskView } from './redact';
export { validateResourceRequirements, validateResources } from './resources';
export {
  isJobMode,
  replicasError,
  serviceModeOf,
  validateServiceChange,
  validateServiceSpec,
  validateTaskSpec,
  type ServiceModeName,
} from './service-spec';
export { serviceStatus } from './service-status';
