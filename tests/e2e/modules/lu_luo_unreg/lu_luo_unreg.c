// SPDX-License-Identifier: GPL-2.0
/*
 * Test module for `lucompat inspect --running`: two file handlers and two
 * FLBs of the mainline layout, registered on load like the corpus module
 * lu_luo_vfio, and unlinked again on unload, as mainline's
 * liveupdate_unregister_file_handler() and liveupdate_unregister_flb() do
 * (the corpus kernel exports neither, so the module unlinks its own list
 * heads). After rmmod the running kernel no longer has these handlers, and a
 * live query must not list them.
 *
 * With unregister=0 it unloads as the corpus module does, leaving its nodes
 * on the kernel's lists in freed memory: a live query must then refuse to
 * answer rather than list what is no longer there.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/liveupdate.h>
#include <linux/moduleparam.h>

static bool unregister = true;
module_param(unregister, bool, 0444);
MODULE_PARM_DESC(unregister, "unlink the handlers and FLBs on unload (default: yes)");

static const struct liveupdate_file_ops unreg_file_ops = {
	.can_preserve = lu_stub_can_preserve,
	.preserve = lu_stub_preserve,
	.unpreserve = lu_stub_unpreserve,
	.retrieve = lu_stub_retrieve,
	.finish = lu_stub_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler vfio_pci_luo_handler = {
	.ops = &unreg_file_ops,
	.compatible = "vfio-pci-v1",
};

static struct liveupdate_file_handler iommufd_luo_handler = {
	.ops = &unreg_file_ops,
	.compatible = "iommufd-v1",
};

static const struct liveupdate_flb_ops unreg_flb_ops = {
	.preserve = lu_stub_flb_preserve,
	.unpreserve = lu_stub_flb_unpreserve,
	.retrieve = lu_stub_flb_retrieve,
	.finish = lu_stub_flb_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_flb pci_luo_flb = {
	.ops = &unreg_flb_ops,
	.compatible = "pci-v2",
};

static struct liveupdate_flb iommu_luo_flb = {
	.ops = &unreg_flb_ops,
	.compatible = "iommu-v1",
};

static int __init lu_luo_unreg_init(void)
{
	liveupdate_register_file_handler(&vfio_pci_luo_handler);
	liveupdate_register_file_handler(&iommufd_luo_handler);
	liveupdate_register_flb(&vfio_pci_luo_handler, &pci_luo_flb);
	liveupdate_register_flb(&vfio_pci_luo_handler, &iommu_luo_flb);
	liveupdate_register_flb(&iommufd_luo_handler, &iommu_luo_flb);
	return 0;
}

static void __exit lu_luo_unreg_exit(void)
{
	if (!unregister)
		return;
	/* The kernel links each FLB once, however many handlers register it. */
	list_del(&iommu_luo_flb.private.list);
	list_del(&pci_luo_flb.private.list);
	list_del(&iommufd_luo_handler.list);
	list_del(&vfio_pci_luo_handler.list);
}

module_init(lu_luo_unreg_init);
module_exit(lu_luo_unreg_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mainline-layout LUO handlers and FLBs that unregister on unload (lucompat test)");
