/**
 * Annotation keys the suite reads from and writes to catalog entities.
 *
 * @public
 */
export const OPS_ANNOTATION_PREFIX = 'cloud-ops.io';

/**
 * Tag selector (`key=value,key2=value2`) naming the AWS resources behind an entity.
 *
 * @public
 */
export const ANNOTATION_AWS_TAG_SELECTOR = `${OPS_ANNOTATION_PREFIX}/aws-tag-selector`;

/** AWS account id (12 digits) the entity's resources live in. @public */
export const ANNOTATION_AWS_ACCOUNT = `${OPS_ANNOTATION_PREFIX}/aws-account`;

/** AWS region the entity's resources live in, e.g. `eu-west-1`. @public */
export const ANNOTATION_AWS_REGION = `${OPS_ANNOTATION_PREFIX}/aws-region`;

/** The RFC that created or last changed a stack, e.g. `RFC-000123`. @public */
export const ANNOTATION_RFC = `${OPS_ANNOTATION_PREFIX}/rfc`;

/** The AWS Service Catalog provisioned product behind a stack. @public */
export const ANNOTATION_PROVISIONED_PRODUCT_ID = `${OPS_ANNOTATION_PREFIX}/provisioned-product-id`;

/** Marks data produced by the sandbox implementation rather than AWS. @public */
export const ANNOTATION_SANDBOX = `${OPS_ANNOTATION_PREFIX}/sandbox`;
