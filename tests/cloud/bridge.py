#!/usr/bin/env python3
"""Stands in for S3's Lambda trigger: the emulator (moto) sends its ObjectCreated notifications
to an SQS queue, and this bridge hands each one to the job function through the Lambda
emulator's invoke API, a few at a time, as S3 invokes a function asynchronously.

usage: bridge.py ENDPOINT QUEUE_URL INVOKE_URL
"""
import concurrent.futures
import sys
import urllib.request

import boto3

endpoint, queue_url, invoke_url = sys.argv[1:4]
sqs = boto3.client("sqs", endpoint_url=endpoint)


def invoke(body):
    request = urllib.request.Request(invoke_url, data=body.encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=900) as response:
            print(f"bridge: invocation answered {response.status}", flush=True)
    except Exception as e:  # the function's own error: Lambda would retry; we log it
        print(f"bridge: invocation failed: {e}", flush=True)


with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for m in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
            pool.submit(invoke, m["Body"])
