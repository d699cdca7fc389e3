import {
  CHANGE_TYPE_APPROVAL_RULES,
  CHANGE_TYPE_RISKS,
  RFC_ACTIONS,
  RFC_STATUSES,
} from '@cloud-ops/plugin-ops-common';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { spec as generated } from './openapi.generated';
import {
  actionBodies,
  createBody,
  createRfcRoutes,
  outputsBody,
  updateBody,
  verifyBody,
} from '../routes/rfcRoutes';

const spec = parse(
  fs.readFileSync(path.resolve(__dirname, 'openapi.yaml'), 'utf8'),
);
const schemas = spec.components.schemas;

const served = () => {
  const router = createRfcRoutes({
    httpAuth: {} as any,
    rfcs: {} as any,
    changeTypes: {} as any,
    executions: {} as any,
  });
  return (router.stack as any[])
    .filter(layer => layer.route)
    .flatMap(layer =>
      Object.keys(layer.route.methods).map(
        method => `${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`,
      ),
    );
};

const keysOf = (schema: z.ZodObject<any>) => ({
  all: Object.keys(schema.shape).sort(),
  required: Object.entries(schema.shape)
    .filter(([, s]) => !(s as z.ZodTypeAny).safeParse(undefined).success)
    .map(([k]) => k)
    .sort(),
});

describe('openapi.yaml', () => {
  it('is the spec the router validates against', () => {
    // If this fails, run: node plugins/ops-backend/scripts/openapi-spec.js
    expect(generated).toEqual(spec);
  });

  it('documents every RFC route the router serves, and no other', () => {
    const documented = Object.entries(spec.paths).flatMap(([p, item]) =>
      Object.keys(item as object)
        .filter(k => ['get', 'post', 'patch', 'put', 'delete'].includes(k))
        .map(method => `${method} ${p}`),
    );
    // The validated router also serves the spec itself.
    const routes = served().filter(r => r !== 'get /openapi.json');
    const ours = (route: string) =>
      /^(\w+) \/(rfcs|executions|calendar|change-types|entities\/\{kind\}\/\{namespace\}\/\{name\}\/rfcs)/.test(
        route,
      );
    expect(routes.sort()).toEqual(documented.filter(ours).sort());
  });

  it('describes request bodies exactly as the router validates them', () => {
    const body = (s: any) => ({
      all: Object.keys(s.properties).sort(),
      required: [...(s.required ?? [])].sort(),
    });
    const createKeys = keysOf(createBody);
    // parameters has a default, so it is optional on the wire.
    expect(body(schemas.CreateRfcRequest)).toEqual(createKeys);
    expect(body(schemas.UpdateRfcRequest)).toEqual(keysOf(updateBody));
    for (const [name, zodSchema, route] of [
      ['verify', verifyBody, '/executions/verify'],
    ] as const) {
      const documented =
        spec.paths[route].post.requestBody.content['application/json'].schema;
      expect({
        name,
        ...body(schemas[documented.$ref.split('/').pop()]),
      }).toEqual({
        name,
        ...keysOf(zodSchema),
      });
    }
    const outputs =
      spec.paths['/executions/outputs'].post.requestBody.content[
        'application/json'
      ].schema.allOf;
    expect({
      all: [
        ...Object.keys(schemas.ExecutionProof.properties),
        ...Object.keys(outputs[1].properties),
      ].sort(),
      required: [
        ...schemas.ExecutionProof.required,
        ...outputs[1].required,
      ].sort(),
    }).toEqual(keysOf(outputsBody));
    for (const [action, schema] of Object.entries(actionBodies)) {
      const documented =
        spec.paths[`/rfcs/{id}/${action}`].post.requestBody.content[
          'application/json'
        ].schema;
      const resolved = documented.$ref
        ? schemas[documented.$ref.split('/').pop()]
        : documented;
      expect({ action, ...body(resolved) }).toEqual({
        action,
        ...keysOf(schema),
      });
    }
  });

  it('uses the shared vocabulary for enums', () => {
    expect(schemas.RfcStatus.enum).toEqual(RFC_STATUSES);
    expect(schemas.Risk.enum).toEqual(CHANGE_TYPE_RISKS);
    expect(schemas.Rfc.properties.approvalRule.enum).toEqual(
      CHANGE_TYPE_APPROVAL_RULES,
    );
    expect(schemas.AuditEvent.properties.action.enum).toEqual([
      'create',
      ...RFC_ACTIONS,
    ]);
  });
});
