// Generated from openapi.yaml by scripts/openapi-spec.js; do not edit.
/* eslint-disable */

export const spec = {
  openapi: '3.0.3',
  info: {
    title: 'ops',
    version: '1',
    description:
      "Change management for the cloud operations suite: RFCs (requests for change), their approvals, execution and history, the change calendar and the approved change-type catalog. Every route needs a user or service token. Every mutation names the RFC's current `version`; a stale version or a lost race is answered with 409 and nothing is written. Request bodies with fields not listed here are refused with 400 naming the fields.",
  },
  servers: [
    {
      url: '/',
    },
  ],
  paths: {
    '/rfcs': {
      post: {
        operationId: 'createRfc',
        summary: 'Create an RFC, and optionally submit it in the same step.',
        description:
          "The server derives the owning group (the target entity's spec.owner in the catalog, read with the caller's credentials), the origin (`central-it` when the requester belongs to the Central IT group) and the requester. With `submit: true`, RFCs of pre-approved change types come back Scheduled.",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/CreateRfcRequest',
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The new RFC.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Rfc',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
      },
      get: {
        operationId: 'listRfcs',
        summary: 'List RFCs, filtered, sorted and paged with a cursor.',
        parameters: [
          {
            name: 'status',
            in: 'query',
            description: 'Repeat to match any of several statuses.',
            schema: {
              type: 'array',
              items: {
                $ref: '#/components/schemas/RfcStatus',
              },
            },
            style: 'form',
            explode: true,
          },
          {
            name: 'owner',
            in: 'query',
            allowReserved: true,
            schema: {
              type: 'string',
            },
            description: 'Owning group ref',
          },
          {
            name: 'targetEntityRef',
            in: 'query',
            allowReserved: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'requester',
            in: 'query',
            allowReserved: true,
            schema: {
              type: 'string',
            },
            description: 'User entity ref',
          },
          {
            name: 'origin',
            in: 'query',
            schema: {
              $ref: '#/components/schemas/RfcOrigin',
            },
          },
          {
            name: 'changeTypeId',
            in: 'query',
            schema: {
              type: 'string',
            },
          },
          {
            name: 'changeClass',
            in: 'query',
            schema: {
              $ref: '#/components/schemas/ChangeClass',
            },
          },
          {
            name: 'review',
            in: 'query',
            description:
              'Executed emergencies whose review is not written, due or past due.',
            schema: {
              type: 'string',
              enum: ['due', 'overdue'],
            },
          },
          {
            name: 'from',
            in: 'query',
            allowReserved: true,
            description: 'Requested start time at or after this instant.',
            schema: {
              type: 'string',
              format: 'date-time',
            },
          },
          {
            name: 'to',
            in: 'query',
            allowReserved: true,
            description: 'Requested start time at or before this instant.',
            schema: {
              type: 'string',
              format: 'date-time',
            },
          },
          {
            name: 'sort',
            in: 'query',
            schema: {
              type: 'string',
              enum: ['id', 'createdAt', 'updatedAt', 'requestedStartTime'],
              default: 'id',
            },
          },
          {
            name: 'order',
            in: 'query',
            schema: {
              type: 'string',
              enum: ['asc', 'desc'],
              default: 'desc',
            },
          },
          {
            name: 'limit',
            in: 'query',
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 500,
              default: 50,
            },
          },
          {
            name: 'cursor',
            in: 'query',
            description:
              'The `nextCursor` of the previous page, with the same sort and order.',
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'One page of RFCs.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Rfc',
                      },
                    },
                    nextCursor: {
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
      },
    },
    '/rfcs/{id}': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      get: {
        operationId: 'getRfc',
        responses: {
          '200': {
            description: 'The RFC with its approvals.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Rfc',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
      patch: {
        operationId: 'updateRfc',
        summary: 'Edit an RFC while it is in Editing; only its requester may.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/UpdateRfcRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/RfcResponse',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/submit': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      post: {
        operationId: 'submitRfc',
        summary:
          'Editing → PendingApproval, or Scheduled when nobody needs to approve.',
        description:
          "Answers 409 when a freeze covers the RFC's target in its requested window, naming the freeze, its reason and its end. An emergency overrides the freeze when `freezeOverrideReason` says why; the override is recorded on the RFC.",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['version'],
                properties: {
                  version: {
                    type: 'integer',
                    minimum: 1,
                  },
                  freezeOverrideReason: {
                    type: 'string',
                    maxLength: 5000,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/RfcResponse',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/approve': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      post: {
        operationId: 'approveRfc',
        summary:
          'PendingApproval → Scheduled, by the approving side, never the requester.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['version'],
                properties: {
                  version: {
                    type: 'integer',
                    minimum: 1,
                  },
                  comment: {
                    type: 'string',
                    maxLength: 5000,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/RfcResponse',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/reject': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      post: {
        operationId: 'rejectRfc',
        summary: 'PendingApproval → Rejected, with the reason.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['version', 'comment'],
                properties: {
                  version: {
                    type: 'integer',
                    minimum: 1,
                  },
                  comment: {
                    type: 'string',
                    minLength: 1,
                    maxLength: 5000,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/RfcResponse',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/cancel': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      post: {
        operationId: 'cancelRfc',
        summary: 'Editing, PendingApproval or Scheduled → Canceled.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['version'],
                properties: {
                  version: {
                    type: 'integer',
                    minimum: 1,
                  },
                  reason: {
                    type: 'string',
                    maxLength: 5000,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/RfcResponse',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/start': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      post: {
        operationId: 'startRfc',
        summary:
          'Scheduled → InProgress once the requested start time has come.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['version'],
                properties: {
                  version: {
                    type: 'integer',
                    minimum: 1,
                  },
                },
              },
            },
          },
        },
        description:
          'For manual change types only: a person on the executing side starts the change. RFCs of automated change types are started by the executor at their requested start time; asking here answers 403.',
        responses: {
          '200': {
            $ref: '#/components/responses/RfcResponse',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/complete': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      post: {
        operationId: 'completeRfc',
        summary: 'InProgress → Success or Failure.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['version', 'outcome'],
                properties: {
                  version: {
                    type: 'integer',
                    minimum: 1,
                  },
                  outcome: {
                    type: 'string',
                    enum: ['Success', 'Failure'],
                  },
                  outcomeNotes: {
                    type: 'string',
                    maxLength: 20000,
                  },
                },
              },
            },
          },
        },
        description:
          'For manual change types only; the executor closes RFCs of automated change types from the outcome of their execution.',
        responses: {
          '200': {
            $ref: '#/components/responses/RfcResponse',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/retry': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      post: {
        operationId: 'retryRfc',
        summary:
          'Failure → Scheduled, to run the approved change again as a new attempt.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['version'],
                properties: {
                  version: {
                    type: 'integer',
                    minimum: 1,
                  },
                  reason: {
                    type: 'string',
                    maxLength: 5000,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/RfcResponse',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/review': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      post: {
        operationId: 'reviewRfc',
        summary:
          'Records the post-implementation review of an executed emergency change.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['version', 'whatHappened', 'rootCause', 'followUp'],
                properties: {
                  version: {
                    type: 'integer',
                    minimum: 1,
                  },
                  whatHappened: {
                    type: 'string',
                    maxLength: 8000,
                  },
                  rootCause: {
                    type: 'string',
                    maxLength: 8000,
                    description:
                      'A problem (PRB-000012) or incident (INC-000034) id, or a link.',
                  },
                  followUp: {
                    type: 'string',
                    maxLength: 8000,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/RfcResponse',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/conflicts': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      get: {
        operationId: 'getRfcConflicts',
        summary:
          "What an approver should know about the RFC's window; warnings, not refusals.",
        responses: {
          '200': {
            description:
              'Freezes in the window, overlapping changes on the same target or its stacks, and the maintenance window.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/RfcConflicts',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/rfcs/{id}/execution': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      get: {
        operationId: 'getRfcExecution',
        summary: "The RFC's execution, its steps and outputs.",
        responses: {
          '200': {
            description:
              'The execution of the current attempt, and the outputs of every attempt.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/RfcExecution',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/rfcs/{id}/execution/logs': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      get: {
        operationId: 'getRfcExecutionLogs',
        summary:
          "Log lines of the current attempt's execution task after a given line.",
        description:
          'Waits up to 30 seconds for a new line while the task runs; answers an empty list when nothing came or nothing was launched yet.',
        parameters: [
          {
            name: 'after',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              pattern: '^\\d{1,15}$',
            },
          },
        ],
        responses: {
          '200': {
            description: 'Log lines, oldest first.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/ExecutionLogEvent',
                      },
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/executions/verify': {
      post: {
        operationId: 'verifyExecution',
        summary:
          'For actions of an execution run; answers the execution context.',
        description:
          "Only the scaffolder's service token may call it. The proof is the RFC id, the execution secret the executor put on the task and the task id; it must match an RFC in progress whose current attempt runs in that task. Anything else is refused with 403 and nothing is said about the RFC. 409 while the executor is still recording the task: ask again.",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/ExecutionProof',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The execution the action runs in.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ExecutionContext',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/executions/outputs': {
      post: {
        operationId: 'reportExecutionOutputs',
        summary:
          'For actions of an execution run; records what a step produced.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                allOf: [
                  {
                    $ref: '#/components/schemas/ExecutionProof',
                  },
                  {
                    type: 'object',
                    required: ['stepId', 'outputs'],
                    properties: {
                      stepId: {
                        type: 'string',
                        maxLength: 255,
                      },
                      outputs: {
                        type: 'object',
                        additionalProperties: {
                          type: 'string',
                          maxLength: 4000,
                        },
                      },
                    },
                  },
                ],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Recorded.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['recorded'],
                  properties: {
                    recorded: {
                      type: 'integer',
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/rfcs/{id}/events': {
      parameters: [
        {
          $ref: '#/components/parameters/RfcId',
        },
      ],
      get: {
        operationId: 'listRfcEvents',
        summary: "The RFC's append-only history, oldest first.",
        responses: {
          '200': {
            description: 'History.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/AuditEvent',
                      },
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/calendar': {
      get: {
        operationId: 'getChangeCalendar',
        summary:
          'RFCs whose requested start time falls in a range (at most 366 days), by start time.',
        description: 'Editing, Rejected and Canceled RFCs are left out.',
        parameters: [
          {
            name: 'from',
            in: 'query',
            allowReserved: true,
            required: true,
            schema: {
              type: 'string',
              format: 'date-time',
            },
          },
          {
            name: 'to',
            in: 'query',
            allowReserved: true,
            required: true,
            schema: {
              type: 'string',
              format: 'date-time',
            },
          },
        ],
        responses: {
          '200': {
            $ref: '#/components/responses/RfcItems',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/rfcs': {
      get: {
        operationId: 'listEntityRfcs',
        summary: 'Change history of one entity, newest first (at most 500).',
        parameters: [
          {
            name: 'kind',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'namespace',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            $ref: '#/components/responses/RfcItems',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
      },
    },
    '/change-types': {
      get: {
        operationId: 'listChangeTypes',
        summary: 'The approved change-type catalog.',
        description:
          "Template entities carrying the cloud-ops.io/change-type-id annotation, valid and not deprecated. `parameterSchema` merges the Template's form steps; RFC parameters are validated against it.",
        parameters: [
          {
            name: 'category',
            in: 'query',
            schema: {
              type: 'string',
            },
          },
          {
            name: 'automation',
            in: 'query',
            schema: {
              type: 'string',
              enum: ['automated', 'manual'],
            },
          },
          {
            name: 'q',
            in: 'query',
            schema: {
              type: 'string',
            },
            description: 'Free text',
          },
        ],
        responses: {
          '200': {
            description: 'Change types.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/ChangeType',
                      },
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
        },
      },
    },
  },
  components: {
    parameters: {
      RfcId: {
        name: 'id',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          pattern: '^RFC-\\d{6,}$',
          example: 'RFC-000123',
        },
      },
    },
    responses: {
      RfcResponse: {
        description: 'The RFC after the change.',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Rfc',
            },
          },
        },
      },
      RfcItems: {
        description: 'RFCs.',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['items'],
              properties: {
                items: {
                  type: 'array',
                  items: {
                    $ref: '#/components/schemas/Rfc',
                  },
                },
              },
            },
          },
        },
      },
      BadRequest: {
        description:
          'Invalid input; the message names each field and what to fix.',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      Unauthorized: {
        description: 'No valid token.',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      Forbidden: {
        description:
          'The permission policy or the approval rules do not allow this caller.',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      NotFound: {
        description: 'No such RFC.',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      Conflict: {
        description:
          "Stale version, lost race, or not allowed in the RFC's status or before its start time.",
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['name', 'message'],
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
          },
        },
      },
      RfcStatus: {
        type: 'string',
        enum: [
          'Editing',
          'PendingApproval',
          'Scheduled',
          'InProgress',
          'Success',
          'Failure',
          'Rejected',
          'Canceled',
        ],
      },
      RfcOrigin: {
        type: 'string',
        enum: ['user', 'central-it'],
      },
      Risk: {
        type: 'string',
        enum: ['low', 'medium', 'high'],
      },
      VersionRequest: {
        type: 'object',
        required: ['version'],
        properties: {
          version: {
            type: 'integer',
            minimum: 1,
          },
        },
      },
      CreateRfcRequest: {
        type: 'object',
        required: [
          'changeTypeId',
          'title',
          'description',
          'targetEntityRef',
          'implementationPlan',
          'testPlan',
          'rollbackPlan',
        ],
        properties: {
          changeTypeId: {
            type: 'string',
          },
          changeTypeVersion: {
            type: 'string',
            description: 'Defaults to the newest approved version',
          },
          title: {
            type: 'string',
            maxLength: 255,
          },
          description: {
            type: 'string',
          },
          targetEntityRef: {
            type: 'string',
            description: 'A component or resource (stack)',
          },
          parameters: {
            type: 'object',
            additionalProperties: true,
            description: "Validated against the change type's parameter schema",
          },
          implementationPlan: {
            type: 'string',
          },
          testPlan: {
            type: 'string',
            description: 'How the change was or will be tested',
          },
          peerReviewer: {
            type: 'string',
            description: 'User entity ref, not the requester',
          },
          rollbackPlan: {
            type: 'string',
          },
          risk: {
            $ref: '#/components/schemas/Risk',
          },
          requestedStartTime: {
            description:
              'An ISO 8601 time, or `now` for an emergency that starts once approved.',
            anyOf: [
              {
                type: 'string',
                format: 'date-time',
              },
              {
                type: 'string',
                enum: ['now'],
              },
            ],
          },
          requestedEndTime: {
            type: 'string',
            format: 'date-time',
          },
          emergency: {
            type: 'object',
            description: 'Makes the RFC an emergency change.',
            required: ['incidentId'],
            additionalProperties: false,
            properties: {
              incidentId: {
                type: 'string',
                description:
                  "The open P1 or P2 incident of the target's team it answers, e.g. INC-000012.",
              },
              freezeOverrideReason: {
                type: 'string',
                maxLength: 5000,
                description: 'Why it may override a freeze that covers it.',
              },
            },
          },
          submit: {
            type: 'boolean',
          },
        },
      },
      UpdateRfcRequest: {
        type: 'object',
        required: ['version'],
        properties: {
          version: {
            type: 'integer',
            minimum: 1,
          },
          title: {
            type: 'string',
            maxLength: 255,
          },
          description: {
            type: 'string',
          },
          parameters: {
            type: 'object',
            additionalProperties: true,
          },
          implementationPlan: {
            type: 'string',
          },
          testPlan: {
            type: 'string',
          },
          peerReviewer: {
            type: 'string',
            nullable: true,
          },
          rollbackPlan: {
            type: 'string',
          },
          risk: {
            $ref: '#/components/schemas/Risk',
          },
          requestedStartTime: {
            type: 'string',
            format: 'date-time',
            nullable: true,
          },
          requestedEndTime: {
            type: 'string',
            format: 'date-time',
            nullable: true,
          },
        },
      },
      Approval: {
        type: 'object',
        required: ['approver', 'decision', 'at'],
        properties: {
          approver: {
            type: 'string',
            description: 'User entity ref, or `system`',
          },
          decision: {
            type: 'string',
            enum: ['approved', 'rejected'],
          },
          comment: {
            type: 'string',
          },
          at: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      Rfc: {
        type: 'object',
        required: [
          'id',
          'changeTypeId',
          'changeTypeVersion',
          'title',
          'description',
          'targetEntityRef',
          'parameters',
          'ownerGroup',
          'origin',
          'requester',
          'approvalRule',
          'implementationPlan',
          'testPlan',
          'rollbackPlan',
          'risk',
          'status',
          'approvals',
          'automation',
          'attempt',
          'createdAt',
          'updatedAt',
          'version',
        ],
        properties: {
          id: {
            type: 'string',
            example: 'RFC-000123',
          },
          changeTypeId: {
            type: 'string',
          },
          changeTypeVersion: {
            type: 'string',
          },
          operation: {
            $ref: '#/components/schemas/OpsOperation',
          },
          title: {
            type: 'string',
          },
          description: {
            type: 'string',
          },
          targetEntityRef: {
            type: 'string',
          },
          parameters: {
            type: 'object',
            additionalProperties: true,
          },
          ownerGroup: {
            type: 'string',
          },
          origin: {
            $ref: '#/components/schemas/RfcOrigin',
          },
          requester: {
            type: 'string',
          },
          approvalRule: {
            type: 'string',
            enum: [
              'by-origin',
              'central-it',
              'owning-team',
              'none',
              'none-if-submitter-approves',
            ],
          },
          approverGroup: {
            type: 'string',
            description: 'Absent when nobody needs to approve',
          },
          implementationPlan: {
            type: 'string',
          },
          testPlan: {
            type: 'string',
          },
          peerReviewer: {
            type: 'string',
          },
          rollbackPlan: {
            type: 'string',
          },
          risk: {
            $ref: '#/components/schemas/Risk',
          },
          outcomeNotes: {
            type: 'string',
          },
          requestedStartTime: {
            type: 'string',
            format: 'date-time',
          },
          requestedEndTime: {
            type: 'string',
            format: 'date-time',
          },
          status: {
            $ref: '#/components/schemas/RfcStatus',
          },
          statusReason: {
            type: 'string',
          },
          approvals: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Approval',
            },
          },
          automation: {
            type: 'string',
            enum: ['automated', 'manual'],
          },
          binding: {
            $ref: '#/components/schemas/RfcBinding',
          },
          taskId: {
            type: 'string',
            description:
              'The scaffolder task of the current execution attempt.',
          },
          attempt: {
            type: 'integer',
            description: 'Execution attempts so far; 0 before the first start.',
          },
          expectedDuration: {
            type: 'string',
            description:
              "The change type's expected duration (ISO 8601); ends a window without an end.",
          },
          changeClass: {
            $ref: '#/components/schemas/ChangeClass',
          },
          emergencyIncidentId: {
            type: 'string',
          },
          freezeOverride: {
            type: 'object',
            required: ['reason', 'freezeIds', 'by', 'at'],
            properties: {
              reason: {
                type: 'string',
              },
              freezeIds: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
              by: {
                type: 'string',
              },
              at: {
                type: 'string',
                format: 'date-time',
              },
            },
          },
          hold: {
            type: 'object',
            description: 'Set while the executor waits for a freeze to end.',
            required: [
              'freezeId',
              'freezeName',
              'reason',
              'until',
              'since',
              'checkedAt',
            ],
            properties: {
              freezeId: {
                type: 'string',
              },
              freezeName: {
                type: 'string',
              },
              reason: {
                type: 'string',
              },
              until: {
                type: 'string',
                format: 'date-time',
              },
              since: {
                type: 'string',
                format: 'date-time',
              },
              checkedAt: {
                type: 'string',
                format: 'date-time',
              },
            },
          },
          review: {
            type: 'object',
            required: [
              'whatHappened',
              'rootCause',
              'followUp',
              'reviewedBy',
              'reviewedAt',
              'onTime',
            ],
            properties: {
              whatHappened: {
                type: 'string',
              },
              rootCause: {
                type: 'string',
              },
              followUp: {
                type: 'string',
              },
              reviewedBy: {
                type: 'string',
              },
              reviewedAt: {
                type: 'string',
                format: 'date-time',
              },
              onTime: {
                type: 'boolean',
              },
            },
          },
          reviewDueAt: {
            type: 'string',
            format: 'date-time',
          },
          criticalSecurityUpdate: {
            type: 'boolean',
          },
          needsMaintenanceWindow: {
            type: 'boolean',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          updatedAt: {
            type: 'string',
            format: 'date-time',
          },
          version: {
            type: 'integer',
          },
        },
      },
      ChangeClass: {
        type: 'string',
        enum: ['standard', 'normal', 'emergency'],
      },
      RfcConflicts: {
        type: 'object',
        required: ['window', 'freezes', 'overlapping'],
        properties: {
          window: {
            type: 'object',
            required: ['start', 'end'],
            properties: {
              start: {
                type: 'string',
                format: 'date-time',
              },
              end: {
                type: 'string',
                format: 'date-time',
              },
            },
          },
          freezes: {
            type: 'array',
            items: {
              type: 'object',
              required: [
                'freezeId',
                'name',
                'reason',
                'side',
                'start',
                'end',
                'overridden',
              ],
              properties: {
                freezeId: {
                  type: 'string',
                },
                name: {
                  type: 'string',
                },
                reason: {
                  type: 'string',
                },
                side: {
                  type: 'string',
                  enum: ['central-it', 'team'],
                },
                start: {
                  type: 'string',
                  format: 'date-time',
                },
                end: {
                  type: 'string',
                  format: 'date-time',
                },
                overridden: {
                  type: 'boolean',
                },
              },
            },
          },
          overlapping: {
            type: 'array',
            items: {
              type: 'object',
              required: [
                'id',
                'title',
                'status',
                'targetEntityRef',
                'start',
                'end',
              ],
              properties: {
                id: {
                  type: 'string',
                },
                title: {
                  type: 'string',
                },
                status: {
                  $ref: '#/components/schemas/RfcStatus',
                },
                targetEntityRef: {
                  type: 'string',
                },
                start: {
                  type: 'string',
                  format: 'date-time',
                },
                end: {
                  type: 'string',
                  format: 'date-time',
                },
              },
            },
          },
          maintenanceWindow: {
            type: 'object',
            required: ['known', 'inside'],
            properties: {
              known: {
                type: 'boolean',
              },
              inside: {
                type: 'boolean',
              },
              schedule: {
                type: 'string',
              },
              next: {
                type: 'object',
                required: ['start', 'end'],
                properties: {
                  start: {
                    type: 'string',
                    format: 'date-time',
                  },
                  end: {
                    type: 'string',
                    format: 'date-time',
                  },
                },
              },
            },
          },
        },
      },
      AuditEvent: {
        type: 'object',
        required: ['id', 'rfcId', 'actor', 'action', 'toStatus', 'at'],
        properties: {
          id: {
            type: 'integer',
          },
          rfcId: {
            type: 'string',
          },
          actor: {
            type: 'string',
            description: 'User entity ref, or `system`',
          },
          action: {
            type: 'string',
            enum: [
              'create',
              'edit',
              'submit',
              'approve',
              'reject',
              'cancel',
              'start',
              'succeed',
              'fail',
              'retry',
              'expire',
              'hold',
              'release',
              'review',
            ],
          },
          fromStatus: {
            $ref: '#/components/schemas/RfcStatus',
          },
          toStatus: {
            $ref: '#/components/schemas/RfcStatus',
          },
          comment: {
            type: 'string',
          },
          at: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      RfcBinding: {
        type: 'object',
        required: ['templateRef'],
        description: "The pinned change-type version's template and product.",
        properties: {
          templateRef: {
            type: 'string',
          },
          serviceCatalog: {
            type: 'object',
            required: ['productId', 'provisioningArtifactId'],
            properties: {
              productId: {
                type: 'string',
              },
              provisioningArtifactId: {
                type: 'string',
              },
            },
          },
        },
      },
      ExecutionProof: {
        type: 'object',
        required: ['rfcId', 'secret', 'taskId'],
        properties: {
          rfcId: {
            type: 'string',
            pattern: '^RFC-\\d{6,}$',
          },
          secret: {
            type: 'string',
            minLength: 1,
            maxLength: 512,
          },
          taskId: {
            type: 'string',
            minLength: 1,
            maxLength: 255,
          },
        },
      },
      ExecutionContext: {
        type: 'object',
        required: ['rfc', 'attempt', 'token', 'binding', 'target', 'sandbox'],
        properties: {
          rfc: {
            $ref: '#/components/schemas/Rfc',
          },
          attempt: {
            type: 'integer',
          },
          token: {
            type: 'string',
            description: "Prefix of the attempt's idempotency tokens.",
          },
          binding: {
            $ref: '#/components/schemas/RfcBinding',
          },
          operation: {
            $ref: '#/components/schemas/OpsOperation',
          },
          target: {
            type: 'object',
            required: [
              'entityRef',
              'ownerGroup',
              'account',
              'region',
              'selector',
            ],
            properties: {
              entityRef: {
                type: 'string',
              },
              ownerGroup: {
                type: 'string',
              },
              account: {
                type: 'string',
              },
              region: {
                type: 'string',
              },
              selector: {
                type: 'object',
                additionalProperties: {
                  type: 'string',
                },
              },
            },
          },
          sandbox: {
            type: 'boolean',
          },
        },
      },
      ExecutionOutput: {
        type: 'object',
        required: ['attempt', 'stepId', 'name', 'value', 'at'],
        properties: {
          attempt: {
            type: 'integer',
          },
          stepId: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          value: {
            type: 'string',
          },
          at: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      RfcExecution: {
        type: 'object',
        required: ['rfcId', 'attempt', 'steps', 'outputs'],
        properties: {
          rfcId: {
            type: 'string',
          },
          attempt: {
            type: 'integer',
          },
          taskId: {
            type: 'string',
          },
          taskStatus: {
            type: 'string',
            enum: [
              'open',
              'processing',
              'completed',
              'failed',
              'cancelled',
              'skipped',
            ],
          },
          steps: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'name', 'action', 'status'],
              properties: {
                id: {
                  type: 'string',
                },
                name: {
                  type: 'string',
                },
                action: {
                  type: 'string',
                },
                status: {
                  type: 'string',
                  enum: [
                    'open',
                    'processing',
                    'completed',
                    'failed',
                    'cancelled',
                    'skipped',
                  ],
                },
                startedAt: {
                  type: 'string',
                  format: 'date-time',
                },
                endedAt: {
                  type: 'string',
                  format: 'date-time',
                },
              },
            },
          },
          outputs: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ExecutionOutput',
            },
          },
          error: {
            type: 'string',
          },
          stackEntityRef: {
            type: 'string',
          },
        },
      },
      ExecutionLogEvent: {
        type: 'object',
        required: ['id', 'at', 'message', 'type'],
        properties: {
          id: {
            type: 'integer',
          },
          at: {
            type: 'string',
            format: 'date-time',
          },
          stepId: {
            type: 'string',
          },
          message: {
            type: 'string',
          },
          type: {
            type: 'string',
            enum: ['log', 'completion', 'cancelled', 'recovered'],
          },
        },
      },
      OpsOperation: {
        description:
          "What a change type does to its target's patch or backup settings; those settings are read from the target's successful RFCs of these operations.",
        type: 'string',
        enum: [
          'set-maintenance-window',
          'exclude-from-patching',
          'include-in-patching',
          'reject-update',
          'apply-update',
          'set-backup-schedule',
          'restore-from-recovery-point',
          'take-snapshot',
        ],
      },
      ChangeType: {
        type: 'object',
        required: [
          'templateRef',
          'id',
          'version',
          'title',
          'classification',
          'automation',
          'approval',
          'expectedDuration',
          'risk',
          'parameterSchema',
        ],
        properties: {
          templateRef: {
            type: 'string',
          },
          id: {
            type: 'string',
          },
          version: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          description: {
            type: 'string',
          },
          classification: {
            type: 'object',
            properties: {
              category: {
                type: 'string',
              },
              subcategory: {
                type: 'string',
              },
              item: {
                type: 'string',
              },
              operation: {
                type: 'string',
              },
            },
          },
          automation: {
            type: 'string',
            enum: ['automated', 'manual'],
          },
          approval: {
            type: 'string',
            enum: [
              'by-origin',
              'central-it',
              'owning-team',
              'none',
              'none-if-submitter-approves',
            ],
          },
          expectedDuration: {
            type: 'string',
          },
          risk: {
            $ref: '#/components/schemas/Risk',
          },
          operation: {
            $ref: '#/components/schemas/OpsOperation',
          },
          parameterSchema: {
            type: 'object',
            properties: {
              properties: {
                type: 'object',
                additionalProperties: true,
              },
              required: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
