export { opsPlugin as default } from './plugin';
