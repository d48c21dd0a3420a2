import { Badge, Group, Progress, Text, Tooltip } from '@mantine/core';
import { BUCKET_COLOR, BUCKET_LABEL } from '../lib/format';

export function BucketBadge({ bucket }: { bucket: string }) {
  return (
    <Badge color={BUCKET_COLOR[bucket] ?? 'gray'} variant="light" aria-label={`Bucket ${BUCKET_LABEL[bucket] ?? bucket}`}>
      {bucket}
    </Badge>
  );
}

export function ScoreMeter({ score }: { score: number }) {
  const color = score >= 70 ? 'red' : score >= 40 ? 'orange' : 'gray';
  return (
    <Tooltip label={`Lead score ${score} of 100`}>
      <Group gap={6} wrap="nowrap" w={90}>
        <Progress value={score} color={color} size="sm" style={{ flex: 1 }} aria-label={`Score ${score} of 100`} />
        <Text size="xs" w={22} ta="right">
          {score}
        </Text>
      </Group>
    </Tooltip>
  );
}
