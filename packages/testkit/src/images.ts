import { getContainerRuntimeClient, ImageName } from "testcontainers";

/**
 * Fails early, with a fix, when a locally built image (local/…) is missing: Testcontainers would
 * try to pull it and report a registry DNS error instead. Other images are pulled as usual.
 */
export async function assertLocalImagePresent(image: string): Promise<void> {
  if (!image.startsWith("local/")) return;
  const client = await getContainerRuntimeClient();
  if (!(await client.image.exists(ImageName.fromString(image)))) {
    throw new Error(
      `the image ${image} does not exist on this Docker engine; build it with scripts/ci/build-images.sh ` +
        "(or unset the variable that selects it, to use the upstream image)",
    );
  }
}
