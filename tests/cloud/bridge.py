#!/usr/bin/env python3
"""Stands in for S3's Lambda trigger: the emulator (moto) sends its ObjectCreated notifications
to an SQS queue, and this bridge hands each one to the job function through the Lambda
emulator's invoke API, a few at a time, as S3 invokes a function asynchronously.

usage: bridge.py ENDPOINT QUEUE_URL INVOKE_URL [TIMEOUT_SECONDS]
"""
import concurrent.futures
import sys
import time
import urllib.request

import boto3

endpoint, queue_url, invoke_url = sys.argv[1:4]
sqs = boto3.client("sqs", endpoint_url=endpoint)


# Lambda retries a failed asynchronous invocation twice; the delays are shorter here. An
# invocation whose function died answers nothing: the timeout turns that into a failure.
RETRIES = 2
TIMEOUT = float(sys.argv[4]) if len(sys.argv) > 4 else 120


def invoke(body):
    for attempt in range(RETRIES + 1):
        request = urllib.request.Request(invoke_url, data=body.encode(), method="POST")
        print(f"bridge: invoking (attempt {attempt + 1})", flush=True)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                # The invoke API answers 200 for a function error too, and says so in a header.
                error = response.headers.get("X-Amz-Function-Error")
                print(f"bridge: invocation answered {response.status}{' ' + error if error else ''}", flush=True)
                if response.status < 300 and not error:
                    return
        except Exception as e:  # the function failed or died
            print(f"bridge: invocation failed: {e}", flush=True)
        time.sleep(2 * (attempt + 1))


with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for m in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
            pool.submit(invoke, m["Body"])
