import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { EntityOperationsContent } from './EntityOperationsContent';
import { isOperationsAvailable } from './isOperationsAvailable';

const component = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', annotations },
  spec: { type: 'service', owner: 'group:default/payments' },
});

describe('EntityOperationsContent', () => {
  it('shows where the entity lives in AWS', async () => {
    await renderInTestApp(
      <EntityProvider
        entity={component({
          'cloud-ops.io/aws-tag-selector': 'app=payments-api',
          'cloud-ops.io/aws-account': '111122223333',
          'cloud-ops.io/aws-region': 'eu-west-1',
        })}
      >
        <EntityOperationsContent />
      </EntityProvider>,
    );
    expect(screen.getByText('AWS resources')).toBeInTheDocument();
    expect(screen.getByText('app=payments-api')).toBeInTheDocument();
    expect(screen.getByText('111122223333')).toBeInTheDocument();
    expect(screen.getByText('eu-west-1')).toBeInTheDocument();
  });

  it('explains the missing annotation when the entity is not mapped', async () => {
    await renderInTestApp(
      <EntityProvider entity={component({})}>
        <EntityOperationsContent />
      </EntityProvider>,
    );
    expect(screen.getByText(/Missing Annotation/i)).toBeInTheDocument();
    expect(
      screen.getAllByText(/cloud-ops.io\/aws-tag-selector/).length,
    ).toBeGreaterThan(0);
  });

  it('treats provisioned stacks as mapped without a selector', () => {
    expect(
      isOperationsAvailable(
        component({ 'cloud-ops.io/provisioned-product-id': 'pp-abc123' }),
      ),
    ).toBe(true);
    expect(isOperationsAvailable(component({}))).toBe(false);
  });
});
