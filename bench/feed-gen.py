#!/usr/bin/env python3
"""feed-gen: a live chat feed for huashu's feed benchmarks.

usage: feed-gen.py [--convs N] [--rate R] [--count C] [--seconds S]

Writes JSON Lines events to standard output: an open event for each of N conversations, then
messages spread over them, customers and agents taking turns with lines in the style of the
service-desk seeds, each stamped with the current time. --rate R paces the output at R events
per second (0: as fast as the reader takes them); it stops after C events or S seconds, or
never when neither is given.
"""
import argparse
import datetime
import signal
import sys
import time

CUSTOMER = [
    "我的快递怎么还没到?", "请问这件衣服有L码吗?", "可以便宜一点吗?", "地址写错了,能改一下吗?",
    "发票怎么开?", "已经等了三天了,到底什么时候发货?", "这个颜色和图片不一样", "好的,谢谢",
    "我要退货", "订单号是20261123-0415", "能不能今天发出?", "客服在吗?",
]
AGENT = [
    "您好,很高兴为您服务,请问有什么可以帮您?", "请稍等,我马上帮您查查看。",
    "很抱歉让您久等了,您的订单已经发货。", "这款目前有现货,今天下单今天发出。",
    "好的,已经为您修改地址,请您核对一下。", "感谢您的耐心等待,还有什么可以帮您的吗?",
]


def now_iso():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def event(i, convs):
    """The i-th event: opens first, then messages round the conversations."""
    ts = now_iso()
    if i < convs:
        return ('{"ts":"%s","conv":"b-%d","type":"open","customer":{"name":"客户%d"}}\n'
                % (ts, i, i))
    k = i - convs
    conv = k % convs
    turn = k // convs
    if turn % 2 == 0:
        return ('{"ts":"%s","conv":"b-%d","type":"message","from":"customer","text":"%s"}\n'
                % (ts, conv, CUSTOMER[(conv + turn) % len(CUSTOMER)]))
    return ('{"ts":"%s","conv":"b-%d","type":"message","from":"agent","text":"%s"}\n'
            % (ts, conv, AGENT[(conv + turn) % len(AGENT)]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--convs", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=0)
    a = ap.parse_args()
    out = sys.stdout
    start = time.monotonic()
    i = 0

    def stop(signo, frame):
        raise BrokenPipeError  # huashu ends its bridge with SIGTERM: report the count first

    signal.signal(signal.SIGTERM, stop)
    tick = 0.01
    try:
        while (not a.count or i < a.count) and (not a.seconds or time.monotonic() - start < a.seconds):
            if a.rate <= 0:
                batch = [event(i + n, a.convs) for n in range(1000)]
                if a.count:
                    batch = batch[: a.count - i]
            else:
                due = int((time.monotonic() - start) * a.rate) - i
                if due <= 0:
                    time.sleep(tick)
                    continue
                batch = [event(i + n, a.convs) for n in range(due)]
            out.write("".join(batch))
            out.flush()
            i += len(batch)
    except BrokenPipeError:
        pass
    print("feed-gen: %d events in %.2f s" % (i, time.monotonic() - start), file=sys.stderr)


if __name__ == "__main__":
    main()
