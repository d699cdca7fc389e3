export { ServiceRequestsPage } from './ServiceRequestsPage';
export { NewServiceRequestPage } from './NewServiceRequestPage';
export { ServiceRequestDetailPage } from './ServiceRequestDetailPage';
