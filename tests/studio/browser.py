"""The studio in a real browser: Debian's chromium, driven through WebDriver (chromedriver).

Starts `qrveil studio --no-browser`, opens the URL it prints, changes the dot type, a colour and
the corner shapes as a person would, waits for the preview, exports the PNG and the style
document, decodes the PNG with zbar (a decoder the pipeline does not verify with), checks that
`qrveil --style-file` renders the exported document to the same PNG, saves a screenshot, then
stops the studio with Ctrl-C (SIGINT) and checks it left nothing behind.

Usage: python3 tests/studio/browser.py QRVEIL_BINARY [--screenshot PATH]
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from PIL import Image
from pyzbar.pyzbar import decode
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

PAYLOAD = "WIFI:T:WPA;S:studio test;P:browser;;"
COLOUR = "#7a1fa2"
BACKGROUND = "#fff8e7"


def fail(message):
    print(f"studio-browser: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def previews(driver):
    return int(driver.execute_script("return document.body.dataset.previews || '0'"))


def wait_preview(driver, after):
    """Wait until a preview newer than `after` is shown; fail on the page's error box."""

    def settled(d):
        state = d.find_element(By.ID, "preview").get_attribute("data-state")
        if state == "error":
            return "error"
        return state == "ready" and previews(d) > after

    result = WebDriverWait(driver, 60).until(settled)
    error = driver.find_element(By.ID, "error").text.strip()
    if result == "error" or error:
        fail(f"the preview failed: {error or 'no message'}")
    return previews(driver)


def wait_file(folder, name, timeout=30):
    path = os.path.join(folder, name)
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            time.sleep(0.2)  # let the browser finish writing
            return path
        time.sleep(0.1)
    fail(f"{name} was not downloaded into {folder}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("qrveil")
    parser.add_argument("--screenshot", default=None)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="studio-browser-")
    studio_tmp = os.path.join(work, "tmp")
    downloads = os.path.join(work, "downloads")
    os.makedirs(studio_tmp)
    os.makedirs(downloads)
    env = dict(os.environ, TMPDIR=studio_tmp, QRVEIL_HOME=os.path.join(work, "home"))
    studio = subprocess.Popen(
        [args.qrveil, "studio", "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    driver = None
    try:
        url = studio.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:") or "token=" not in url:
            fail(f"the first line was not the page's URL: {url!r}")

        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1360,1000"):
            options.add_argument(flag)
        options.add_experimental_option(
            "prefs", {"download.default_directory": downloads, "download.prompt_for_download": False}
        )
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        driver.get(url)
        seen = wait_preview(driver, 0)

        def type_into(field, text):
            element = driver.find_element(By.ID, field)
            element.clear()
            element.send_keys(text)

        def choose(field, value):
            Select(driver.find_element(By.ID, field)).select_by_value(value)

        t = time.time()
        type_into("payload", PAYLOAD)
        seen = wait_preview(driver, seen)
        choose("dots-type", "dots")
        seen = wait_preview(driver, seen)
        type_into("dots-color-hex", COLOUR)
        seen = wait_preview(driver, seen)
        choose("corners-square-type", "extra-rounded")
        choose("corners-dot-type", "dot")
        seen = wait_preview(driver, seen)
        # The other groups: background, QR options (a version-5 code), readability, a logo.
        type_into("background-color-hex", BACKGROUND)
        seen = wait_preview(driver, seen)
        choose("type-number", "5")
        choose("ec-level", "Q")
        seen = wait_preview(driver, seen)
        driver.find_element(By.ID, "readability-robust").click()
        seen = wait_preview(driver, seen)
        # A slider: set as a drag would, then the logo (0.25 of the side fits version 5 at Q).
        driver.execute_script(
            "const s = document.getElementById('image-size'); s.value = '0.25';"
            "s.dispatchEvent(new Event('input', { bubbles: true }));"
        )
        seen = wait_preview(driver, seen)
        logo = os.path.join(work, "logo.png")
        Image.new("RGB", (64, 64), (230, 120, 20)).save(logo)
        driver.find_element(By.ID, "logo-file").send_keys(logo)
        seen = wait_preview(driver, seen)
        edits = time.time() - t
        ms = driver.find_element(By.ID, "preview-ms").text
        report = driver.find_element(By.ID, "report").text
        if COLOUR not in report.lower():
            fail(f"the report does not show the chosen colour {COLOUR}:\n{report}")

        driver.find_element(By.ID, "export-png").click()
        png = wait_file(downloads, "qrveil.png")
        driver.find_element(By.ID, "export-json").click()
        document_path = wait_file(downloads, "qrveil-style.json")
        if args.screenshot:
            driver.execute_script("window.scrollTo(0, 0)")
            driver.save_screenshot(args.screenshot)

        found = decode(Image.open(png).convert("L"))
        if [r.data.decode() for r in found] != [PAYLOAD]:
            fail(f"zbar read {[r.data for r in found]} from the downloaded PNG, not the payload")
        document = json.load(open(document_path))
        asked = (
            document["dotsOptions"].get("type"),
            document["dotsOptions"].get("color"),
            document["cornersSquareOptions"].get("type"),
            document["cornersDotOptions"].get("type"),
            document["backgroundOptions"].get("color"),
            document["qrOptions"],
            document["readability"],
            document.get("imageOptions", {}).get("imageSize"),
        )
        expected = ("dots", COLOUR, "extra-rounded", "dot", BACKGROUND,
                    {"typeNumber": 5, "errorCorrectionLevel": "Q"}, "robust", 0.25)
        if asked != expected:
            fail(f"the exported document does not hold the edits: {asked}")
        if PAYLOAD in open(document_path).read():
            fail("the exported style document holds the payload")
        # The dark modules are drawn in the chosen colour.
        pixels = list(Image.open(png).convert("RGB").tobytes())
        pixels = zip(pixels[0::3], pixels[1::3], pixels[2::3])
        want = tuple(int(COLOUR[i : i + 2], 16) for i in (1, 3, 5))
        if sum(1 for p in pixels if p == want) < 1000:
            fail(f"fewer than 1000 pixels of {COLOUR} in the PNG")

        # The CLI renders the exported document to the same PNG.
        cli_png = os.path.join(work, "cli.png")
        subprocess.run(
            [args.qrveil, "-", "--style-file", document_path, "--logo", logo, "-o", cli_png, "--quiet"],
            input=PAYLOAD, text=True, env=env, check=True,
        )
        if open(cli_png, "rb").read() != open(png, "rb").read():
            fail("qrveil --style-file rendered the exported document to a different PNG")
        print(f"studio-browser: 8 edits in 7 option groups previewed in {edits:.1f} s (the version-5 preview: {ms}); "
              "PNG read by zbar; the CLI drew the exported document byte for byte")
    finally:
        if driver is not None:
            driver.quit()
        if studio.poll() is None:
            studio.send_signal(signal.SIGINT)
            try:
                studio.wait(timeout=10)
            except subprocess.TimeoutExpired:
                studio.kill()
                fail("the studio did not stop on Ctrl-C")
    left = os.listdir(studio_tmp)
    if left:
        fail(f"the studio left {left} in its temporary folder after Ctrl-C")
    if studio.returncode != 130:
        fail(f"the studio exited with {studio.returncode} on Ctrl-C, not 130: {studio.stderr.read()}")
    print("studio-browser: Ctrl-C stopped the studio and left nothing in its temporary folder")


if __name__ == "__main__":
    main()
