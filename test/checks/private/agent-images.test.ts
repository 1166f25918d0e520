import { AgentKind, agentKindOfImage, couldBeAgentImage, imagePinned, parseImage } from '../../../src/checks/private/agent-images';
import { Knowledge, UNKNOWN_PART as U, flattenToText } from '../../../src/checks/private/cfn-values';

describe('parseImage', () => {
  test.each([
    ['public.ecr.aws/xray/aws-xray-daemon:3.6.6', 'aws-xray-daemon', '3.6.6', Knowledge.YES],
    ['public.ecr.aws/xray/aws-xray-daemon', 'aws-xray-daemon', undefined, Knowledge.NO],
    ['public.ecr.aws/xray/aws-xray-daemon:', 'aws-xray-daemon', '', Knowledge.NO],
    ['amazon/aws-xray-daemon:Latest', 'aws-xray-daemon', 'Latest', Knowledge.NO],
    ['localhost:5000/aws-xray-daemon', 'aws-xray-daemon', undefined, Knowledge.NO],
    ['localhost:5000/aws-xray-daemon:3.6.6', 'aws-xray-daemon', '3.6.6', Knowledge.YES],
    [`public.ecr.aws/xray/aws-xray-daemon@sha256:${'0'.repeat(64)}`, 'aws-xray-daemon', undefined, Knowledge.YES],
    [`public.ecr.aws/xray/aws-xray-daemon:${U}`, 'aws-xray-daemon', undefined, Knowledge.UNKNOWN],
    [`${U}.dkr.ecr.${U}.${U}/aws-xray-daemon:3.6.6`, 'aws-xray-daemon', '3.6.6', Knowledge.YES],
    [`${U}.dkr.ecr.${U}.${U}/${U}:1.0`, undefined, '1.0', Knowledge.YES],
    [`public.ecr.aws/xray/${U}`, undefined, undefined, Knowledge.UNKNOWN],
  ])('%j', (text, name, tag, pinned) => {
    const image = parseImage(text);
    expect(image.name).toBe(name);
    expect(image.tag).toBe(tag);
    expect(imagePinned(image)).toBe(pinned);
  });
});

describe('agent recognition by image', () => {
  test.each([
    ['public.ecr.aws/xray/aws-xray-daemon:3.6.6', AgentKind.XRAY_DAEMON],
    ['public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300062.0', AgentKind.CLOUDWATCH_AGENT],
    ['public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3', AgentKind.ADOT_COLLECTOR],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/xray/aws-xray-daemon:3.6.6', AgentKind.XRAY_DAEMON],
    ['public.ecr.aws/docker/library/nginx:1.27', undefined],
    ['aws-xray-daemon-fork:1.0', undefined],
  ])('%s is %p', (text, kind) => {
    expect(agentKindOfImage(parseImage(text))).toBe(kind);
  });

  test.each([
    [`${U}.dkr.ecr.${U}.${U}/${U}:1.0`, true],
    [`${U}.dkr.ecr.${U}.${U}/cdk-hnb659fds-container-assets-${U}-${U}:abc`, false],
    [`mirror.example/aws-${U}:1.0`, true],
    [`mirror.example/nginx-${U}:1.0`, false],
    ['public.ecr.aws/docker/library/nginx:1.27', false],
  ])('%j could be an agent: %p', (text, could) => {
    expect(couldBeAgentImage(parseImage(text))).toBe(could);
  });
});

describe('flattenToText', () => {
  test('literal strings and numbers stay as they are', () => {
    expect(flattenToText('a:b')).toBe('a:b');
    expect(flattenToText(2000)).toBe('2000');
  });

  test('Fn::Join keeps its literal parts and marks the rest', () => {
    expect(flattenToText({ 'Fn::Join': ['', [{ Ref: 'AWS::AccountId' }, '.dkr.ecr/', 'x:', { Ref: 'Tag' }]] })).toBe(`${U}.dkr.ecr/x:${U}`);
  });

  test('Fn::Sub fills bound variables, marks the others and keeps ${!literal}', () => {
    expect(flattenToText({ 'Fn::Sub': ['${Repo}:${Tag}-${!Keep}', { Repo: 'public.ecr.aws/xray/aws-xray-daemon' }] }))
      .toBe(`public.ecr.aws/xray/aws-xray-daemon:${U}-\${Keep}`);
    expect(flattenToText({ 'Fn::Sub': '${AWS::Region}/x' })).toBe(`${U}/x`);
  });

  test('other intrinsics are one unknown part; other shapes are not text', () => {
    expect(flattenToText({ Ref: 'Image' })).toBe(U);
    expect(flattenToText({ 'Fn::GetAtt': ['Repo', 'RepositoryUri'] })).toBe(U);
    expect(flattenToText({ a: 1, b: 2 })).toBeUndefined();
    expect(flattenToText(['x'])).toBeUndefined();
  });
});
