export {
  ServiceRequestService,
  normalizeGroupRef,
} from './ServiceRequestService';
export type {
  CreateServiceRequestInput,
  ListServiceRequestsInput,
} from './ServiceRequestService';
