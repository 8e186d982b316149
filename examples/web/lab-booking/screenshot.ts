import type { Page } from "playwright-core";
import { colleague, logIn } from "./drive.js";

/**
 * Ada (the admin) at work: Ben runs the flow cytometer, the confocal is in maintenance, two
 * samples wait in her inbox and a third arrives while she looks (its toast showing).
 */
export async function stage(page: Page, appUrl: string): Promise<void> {
  const ben = await colleague(appUrl, "ben");
  const chloe = await colleague(appUrl, "chloe");
  const ada = await colleague(appUrl, "ada");
  await ben.call("POST", "sessions", {
    equipmentId: await ben.equipmentId("Flow cytometer"),
    purpose: "T-cell panel",
  });
  await ada.call("PATCH", `equipment/${await ada.equipmentId("Cryo-EM grid plunger")}`, {
    status: "maintenance",
  });
  const qpcr = await chloe.equipmentId("qPCR system");
  const { id: session } = await chloe.call<{ id: number }>("POST", "sessions", {
    equipmentId: qpcr,
  });
  await chloe.call("POST", `sessions/${session}/end`);
  await ben.sendSample("ada", "HeLa lysate, plate 3", "Keep at -80 °C");
  await chloe.sendSample("ada", "Protein extract, batch 12");

  await logIn(page, appUrl, "ada");
  await page.getByRole("listitem", { name: "Protein extract, batch 12" }).waitFor();
  await chloe.sendSample("ada", "Yeast culture, strain W303", "Grown overnight at 30 °C");
  await page.getByText("New sample from Chloé Martin").waitFor();
  await page.getByRole("link", { name: "3 unread samples" }).waitFor();
}
