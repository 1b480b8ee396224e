#!/usr/bin/env python3
"""Create the emulated account's resources on an S3/SQS/Secrets Manager/DynamoDB protocol server
(moto): the bucket, its ObjectCreated notification for jobs/*/input (the same filter as infra/),
a queue that receives it, the presign token's secret, and the rate-limit tables (as
infra/modules/qrveil/limits.tf makes them).

usage: setup.py ENDPOINT BUCKET QUEUE SECRET_ID TOKEN_FILE [LIMITS_TABLE ...]
Credentials and region come from the usual AWS_* variables.
"""
import sys

import boto3

endpoint, bucket, queue, secret_id, token_file = sys.argv[1:6]
limits_tables = sys.argv[6:]
s3 = boto3.client("s3", endpoint_url=endpoint)
sqs = boto3.client("sqs", endpoint_url=endpoint)
secrets = boto3.client("secretsmanager", endpoint_url=endpoint)
dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)

s3.create_bucket(Bucket=bucket)
queue_url = sqs.create_queue(QueueName=queue)["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
s3.put_bucket_notification_configuration(
    Bucket=bucket,
    NotificationConfiguration={
        "QueueConfigurations": [
            {
                "Id": "qrveil-job-input",
                "QueueArn": queue_arn,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "jobs/"}, {"Name": "suffix", "Value": "/input"}]}},
            }
        ]
    },
)
with open(token_file) as f:
    secrets.create_secret(Name=secret_id, SecretString=f.read().strip())
for table in limits_tables:
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
print(queue_url)
