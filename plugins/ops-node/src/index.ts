/**
 * Node.js services shared by the cloud operations backend plugins and modules.
 *
 * @packageDocumentation
 */
export {};
